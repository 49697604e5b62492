"""Settings a team changes from Slack."""

from __future__ import annotations

from pathlib import Path

from bot.storage.engine import create_db_engine
from bot.storage.team_settings import WEEKLY_AT, WEEKLY_CHANNEL, TeamSettings
from tests.conftest import db_url_for


def test_a_choice_is_kept_replaced_and_cleared(tmp_path: Path) -> None:
    settings = TeamSettings(create_db_engine(db_url_for(tmp_path)))
    assert settings.weekly() is None and settings.get(WEEKLY_CHANNEL) is None
    settings.put({WEEKLY_CHANNEL: "C1"}, by="UADMIN")
    assert settings.weekly() == ("C1", "mon 10:00"), "the default time"
    settings.put({WEEKLY_CHANNEL: "C2", WEEKLY_AT: "周五 17:00"}, by="UOTHER")
    assert settings.weekly() == ("C2", "周五 17:00")
    assert TeamSettings(create_db_engine(db_url_for(tmp_path))).weekly() == ("C2", "周五 17:00")
    assert settings.clear(WEEKLY_CHANNEL, WEEKLY_AT)
    assert not settings.clear(WEEKLY_CHANNEL, WEEKLY_AT), "nothing left to clear"
    assert settings.weekly() is None
