"""`/ops weekly` and `/ops 周报` through the real Bolt app: acked at once, then the summary replaces
the "one moment" notice, only for the person who asked, in their language."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.storage.engine import create_db_engine
from skills.schedule import parse_zone
from skills.weekly import week_start
from tests.bot.conftest import Running
from tests.bot.weekly.test_summary import seed_week
from tests.conftest import SIGNING_SECRET, db_url_for
from tests.fakes.slack_requests import send_command


def _weekly(running: Running, text: str) -> tuple[str, dict[str, Any]]:
    """The ack's body and the reply that replaced it."""
    before = len(running.slack.responses)
    status, ack = send_command(
        running.events_url, SIGNING_SECRET, "/ops", text, running.slack.response_url(f"w{before}")
    )
    assert status == 200
    assert running.slack.wait_for(lambda s: len(s.responses) > before, timeout=30)
    return ack, running.slack.responses[before]


def _seeded(running: Running) -> datetime:
    """A week of data two weeks back, for a user in Shanghai (their Slack profile's zone)."""
    running.slack.user_timezones["U123"] = "Asia/Shanghai"
    today = datetime.now(UTC).astimezone(parse_zone("Asia/Shanghai")).date()
    monday = week_start(today) - timedelta(days=14)
    seed_week(create_db_engine(db_url_for(running.services.settings.home)), monday, today)
    return datetime(monday.year, monday.month, monday.day)


def test_ops_weekly_replies_with_the_summary_of_the_asked_week(running: Running) -> None:
    monday = _seeded(running)
    wednesday = (monday + timedelta(days=2)).date().isoformat()
    ack, reply = _weekly(running, f"weekly {wednesday}")
    assert "One moment" in ack
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is True
    shown = json.dumps(reply["blocks"], ensure_ascii=False)
    year, week, _ = monday.isocalendar()
    assert f"*Weekly summary* — {year}-W{week:02d}" in shown
    assert "Sales came to 721, +3.0% on last week (700)" in shown
    assert "*Sales* (week total): 721 · last week 700 (+3.0%) · 4 weeks ago 350 (+106.0%)" in shown
    assert "Export to Excel fails with error 500 — 2 times, 2 customers" in shown
    assert "<@UALICE>: 2" in shown and "&lt;!channel&gt;" in shown
    assert "Gamma (C3) — ends today" in shown and "Acme &amp; Co (C1) — in 10 days" in shown
    assert running.slack.calls_to("chat.postMessage") == [], "nothing is posted to the channel"


def test_the_chinese_command_word_or_locale_gets_chinese(running: Running) -> None:
    monday = _seeded(running)
    _, reply = _weekly(running, f"周报 {(monday + timedelta(days=6)).date().isoformat()}")
    shown = json.dumps(reply["blocks"], ensure_ascii=False)
    assert "*周报* ——" in shown and "销售额合计 721,较上周(700)+3.0%" in shown
    running.slack.user_locales["U123"] = "zh-CN"
    _, reply = _weekly(running, "weekly")
    assert "*周报* ——" in json.dumps(reply["blocks"], ensure_ascii=False), "the default week, in Chinese"


def test_a_bad_day_gets_a_clear_message_in_the_persons_language(running: Running) -> None:
    _, reply = _weekly(running, "weekly someday")
    assert "'someday' is not a date" in reply["text"] and "2026-11-18" in reply["text"]
    _, reply = _weekly(running, "周报 某天")
    assert "不是日期" in reply["text"]
    next_year = (datetime.now(UTC) + timedelta(days=400)).date().isoformat()
    _, reply = _weekly(running, f"weekly {next_year}")
    assert "has not started yet" in reply["text"]
