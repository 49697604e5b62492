"""The threads opsbot answered in."""

from __future__ import annotations

from pathlib import Path

from bot.storage.engine import create_db_engine
from bot.storage.threads import ThreadStore
from tests.conftest import db_url_for


def test_a_thread_is_remembered_once_and_known_to_every_process(tmp_path: Path) -> None:
    store = ThreadStore(create_db_engine(db_url_for(tmp_path)))
    assert not store.answered_in("C1", "1700000001.000100")
    store.remember("C1", "1700000001.000100")
    store.remember("C1", "1700000001.000100")
    other_process = ThreadStore(create_db_engine(db_url_for(tmp_path)))
    assert other_process.answered_in("C1", "1700000001.000100")
    assert not other_process.answered_in("C2", "1700000001.000100")
