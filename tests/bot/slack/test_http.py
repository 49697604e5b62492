"""The health check's database probe: fast, bounded and never piling up behind a hung database."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

from sqlalchemy import create_engine

from bot.slack.http import DatabaseProbe
from bot.storage.engine import create_db_engine, sqlite_url


def test_a_working_database_is_ok(tmp_path: Path) -> None:
    assert DatabaseProbe(create_db_engine(sqlite_url(tmp_path))).status() == "ok"


def test_a_refused_connection_is_unreachable() -> None:
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]  # closed again: nothing listens there
    engine = create_engine(f"postgresql+psycopg://opsbot@127.0.0.1:{port}/opsbot?connect_timeout=2")
    assert DatabaseProbe(engine, budget=5.0).status() == "unreachable"


def test_a_database_that_never_answers_is_slow_and_checked_once_at_a_time() -> None:
    """A listener that accepts and stays silent: a frozen server."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    port = silent.getsockname()[1]
    engine = create_engine(f"postgresql+psycopg://opsbot@127.0.0.1:{port}/opsbot?connect_timeout=3")
    probe = DatabaseProbe(engine, budget=0.2)
    try:
        before = threading.active_count()
        assert probe.status() == "slow"
        assert probe.status() == "slow"
        assert threading.active_count() <= before + 1, "one check at a time"
    finally:
        silent.close()
        # The check still connecting fails now: let it log while this test's output is captured,
        # not after, when the stream it would write to is closed.
        for thread in threading.enumerate():
            if thread.name == "db-probe":
                thread.join(timeout=5)
