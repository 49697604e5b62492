"""Renewal reminders: once at each of 90, 60 and 30 days before the contract end, in the owner's
morning, across restarts and a second process, through the digest's delivery log."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.local.slack_api import LocalSlack
from bot.renewal.scheduler import RenewalScheduler, milestone, reminder_kind
from bot.storage.clients import ClientStore
from bot.storage.delivery_log import DeliveryLog
from bot.storage.engine import create_db_engine
from bot.storage.owners import OwnerStore
from skills.client_roster import ClientRecord
from tests.conftest import BOT_TOKEN, db_url_for, make_settings

END = date(2027, 3, 1)
MONDAY_AFTER_30_DAYS = date(2027, 2, 1)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = create_db_engine(db_url_for(tmp_path))
    ClientStore(engine).save(
        [
            ClientRecord("C1", "Acme", 500_000, END, "U0ACME", {"payment": 0}),
            ClientRecord("C2", "No owner id", 1000, END, "alice@example.com"),
            ClientRecord("C3", "No end date", 1000, None, "U0ACME"),
        ]
    )
    return engine


def _scheduler(engine: Engine, slack: LocalSlack, tmp_path: Path) -> RenewalScheduler:
    client = WebClient(token=BOT_TOKEN, base_url=slack.base_url)
    return RenewalScheduler(engine, client, make_settings(tmp_path))


def _morning(day: date, hour: int = 9, minute: int = 30) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def test_the_latest_milestone_reached() -> None:
    days = (90, 60, 30)
    assert milestone(END, END - timedelta(days=91), days) is None
    assert milestone(END, END - timedelta(days=90), days) == 90
    assert milestone(END, END - timedelta(days=45), days) == 60
    assert milestone(END, END - timedelta(days=1), days) == 30
    assert milestone(END, END + timedelta(days=1), days) is None


def test_once_at_each_milestone_across_restarts(engine: Engine, slack: LocalSlack, tmp_path: Path) -> None:
    sent: list[date] = []
    day = END - timedelta(days=100)
    while day <= END + timedelta(days=3):
        for moment in (_morning(day, 8, 0), _morning(day), _morning(day, 15)):
            scheduler = _scheduler(engine, slack, tmp_path)  # a restart before every scan
            if scheduler.scan(moment):
                sent.append(day)
        day += timedelta(days=1)
    # 90 days before is Tuesday 2026-12-01, 60 days before Thursday 2026-12-31; 30 days before is a
    # Saturday, so that one waits for Monday.
    assert sent == [date(2026, 12, 1), date(2026, 12, 31), date(2027, 2, 1)]
    dms = slack.calls_to("chat.postMessage")
    assert [call.params["channel"] for call in dms] == ["U0ACME"] * 3
    assert "Renewal brief" in str(dms[0].params["blocks"]) and "90 days" in dms[0].params["text"]
    log = DeliveryLog(engine)
    assert log.sent_count(reminder_kind("C1", 90)) == 1 and log.sent_count(reminder_kind("C1", 30)) == 1


def test_a_client_imported_late_gets_only_the_milestone_reached(
    engine: Engine, slack: LocalSlack, tmp_path: Path
) -> None:
    scheduler = _scheduler(engine, slack, tmp_path)
    assert scheduler.scan(_morning(END - timedelta(days=45))) == 1
    assert scheduler.scan(_morning(END - timedelta(days=44))) == 0
    assert "60 days" not in slack.calls_to("chat.postMessage")[0].params["text"]
    assert "45 days" in slack.calls_to("chat.postMessage")[0].params["text"]


def test_two_processes_racing_send_once(engine: Engine, slack: LocalSlack, tmp_path: Path) -> None:
    moment = _morning(MONDAY_AFTER_30_DAYS)
    first, second = _scheduler(engine, slack, tmp_path), _scheduler(engine, slack, tmp_path)
    assert first.scan(moment) + second.scan(moment) == 1


def test_the_owners_time_zone_and_digest_time_decide_the_moment(
    engine: Engine, slack: LocalSlack, tmp_path: Path
) -> None:
    owners = OwnerStore(engine)
    owners.ensure("U0ACME", "Asia/Shanghai")
    day = MONDAY_AFTER_30_DAYS  # 09:00 in Shanghai is 01:00 UTC
    scheduler = _scheduler(engine, slack, tmp_path)
    assert scheduler.scan(_morning(day, 0, 30)) == 0
    assert scheduler.scan(_morning(day, 1, 5)) == 1


def test_a_slack_failure_is_retried_and_a_gone_account_is_not(
    engine: Engine, slack: LocalSlack, tmp_path: Path
) -> None:
    scheduler = _scheduler(engine, slack, tmp_path)
    moment = _morning(MONDAY_AFTER_30_DAYS)
    slack.fail_next("chat.postMessage", 200, error="fatal_error")
    assert scheduler.scan(moment) == 0
    assert scheduler.scan(moment) == 1
    slack.fail_next("chat.postMessage", 200, error="user_not_found")
    ClientStore(engine).save([ClientRecord("C4", "Gone", 1, END, "U0GONE")])
    assert scheduler.scan(moment) == 0
    assert scheduler.scan(moment) == 0
    assert len([c for c in slack.calls_to("chat.postMessage") if c.params["channel"] == "U0GONE"]) == 1


def test_a_reminder_slack_posted_after_a_timeout_is_found_not_sent_again(
    engine: Engine, slack: LocalSlack, tmp_path: Path
) -> None:
    scheduler = _scheduler(engine, slack, tmp_path)
    scheduler._client.timeout = 0.5
    slack.slow_next("chat.postMessage", 1.5)
    moment = _morning(MONDAY_AFTER_30_DAYS)
    assert scheduler.scan(moment) == 0
    assert scheduler.scan(moment + timedelta(minutes=1)) == 1
    [reminder] = [m for m in slack.messages.values() if m.channel == "U0ACME"]
    assert reminder.payload["metadata"]["event_payload"] == {
        "owner": "U0ACME",
        "day": "2027-01-30",  # the milestone: 30 days before the end
        "kind": reminder_kind("C1", 30),
    }
    assert DeliveryLog(engine).sent_count(reminder_kind("C1", 30)) == 1
