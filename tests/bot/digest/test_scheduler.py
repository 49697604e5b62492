"""The digest scan with a controlled clock, against the loopback Slack: time zones, DST, weekends,
holidays, snooze, restart catch-up, and two schedulers at once."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from slack_sdk import WebClient

from bot.digest.scheduler import DigestScheduler
from bot.local.slack_api import LocalSlack
from bot.storage.delivery_log import DeliveryLog
from bot.storage.engine import create_db_engine
from bot.storage.metrics import MetricStore
from bot.storage.owners import OwnerChanges, OwnerStore, TodoStore
from skills.metrics_csv import MetricValue
from tests.conftest import BOT_TOKEN, db_url_for


def _scheduler(tmp_path: Path, slack: LocalSlack, holidays: frozenset[date] = frozenset()) -> DigestScheduler:
    engine = create_db_engine(db_url_for(tmp_path))
    return DigestScheduler(engine, WebClient(token=BOT_TOKEN, base_url=slack.base_url), "UTC", holidays)


def _owners(tmp_path: Path) -> OwnerStore:
    return OwnerStore(create_db_engine(db_url_for(tmp_path)))


def _digests(slack: LocalSlack) -> list[str]:
    return [call.params["channel"] for call in slack.calls_to("chat.postMessage")]


def test_each_owner_gets_one_digest_at_their_local_time(tmp_path: Path, slack: LocalSlack) -> None:
    owners = _owners(tmp_path)
    owners.ensure("USH", "Asia/Shanghai")
    owners.ensure("UNY", "America/New_York")
    TodoStore(create_db_engine(db_url_for(tmp_path))).add("USH", "call Acme", date(2026, 11, 20))
    scheduler = _scheduler(tmp_path, slack)
    assert scheduler.scan(datetime(2026, 11, 23, 0, 59, tzinfo=UTC)) == 0
    assert scheduler.scan(datetime(2026, 11, 23, 1, 0, tzinfo=UTC)) == 1  # 09:00 in Shanghai
    assert scheduler.scan(datetime(2026, 11, 23, 1, 1, tzinfo=UTC)) == 0, "once per local day"
    assert scheduler.scan(datetime(2026, 11, 23, 14, 0, tzinfo=UTC)) == 1  # 09:00 in New York
    assert _digests(slack) == ["USH", "UNY"]
    [first] = slack.calls_to("chat.postMessage")[:1]
    assert "call Acme" in str(first.params) and "todo_done" in str(first.params)
    assert "(carried over)" in str(first.params)


def test_daylight_saving_weekends_holidays_and_snooze(tmp_path: Path, slack: LocalSlack) -> None:
    owners = _owners(tmp_path)
    owners.ensure("UNY", "America/New_York")
    scheduler = _scheduler(tmp_path, slack, holidays=frozenset({date(2026, 3, 10)}))
    assert scheduler.scan(datetime(2026, 3, 6, 14, 0, tzinfo=UTC)) == 1  # Friday, EST: 09:00
    assert scheduler.scan(datetime(2026, 3, 7, 14, 0, tzinfo=UTC)) == 0  # Saturday
    assert scheduler.scan(datetime(2026, 3, 9, 12, 59, tzinfo=UTC)) == 0  # Monday, EDT: 08:59
    assert scheduler.scan(datetime(2026, 3, 9, 13, 0, tzinfo=UTC)) == 1  # 09:00 EDT
    assert scheduler.scan(datetime(2026, 3, 10, 13, 30, tzinfo=UTC)) == 0  # a team holiday
    owners.change("UNY", OwnerChanges(snoozed_until=date(2026, 3, 12)))
    assert scheduler.scan(datetime(2026, 3, 11, 13, 30, tzinfo=UTC)) == 0
    assert scheduler.scan(datetime(2026, 3, 13, 13, 30, tzinfo=UTC)) == 1  # snooze over
    owners.change("UNY", OwnerChanges(paused=True))
    assert scheduler.scan(datetime(2026, 3, 16, 13, 30, tzinfo=UTC)) == 0


def test_a_restart_catches_up_within_the_grace_period_only(tmp_path: Path, slack: LocalSlack) -> None:
    _owners(tmp_path).ensure("USH", "Asia/Shanghai")
    assert _scheduler(tmp_path, slack).scan(datetime(2026, 11, 24, 4, 30, tzinfo=UTC)) == 1  # 12:30 local
    assert _scheduler(tmp_path, slack).scan(datetime(2026, 11, 24, 5, 0, tzinfo=UTC)) == 0, "a new process"
    assert _scheduler(tmp_path, slack).scan(datetime(2026, 11, 25, 8, 0, tzinfo=UTC)) == 0  # 16:00: too late


def test_a_failed_send_is_retried_and_two_schedulers_send_once(tmp_path: Path, slack: LocalSlack) -> None:
    owners = _owners(tmp_path)
    for n in range(20):
        owners.ensure(f"U{n:02d}", "Asia/Shanghai")
    slack.fail_next("chat.postMessage", 500)
    moment = datetime(2026, 11, 23, 1, 5, tzinfo=UTC)
    first, second = _scheduler(tmp_path, slack), _scheduler(tmp_path, slack)
    counts: list[int] = []
    threads = [threading.Thread(target=lambda s=s: counts.append(s.scan(moment))) for s in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    retried = first.scan(datetime(2026, 11, 23, 1, 6, tzinfo=UTC))
    assert sum(counts) + retried == 20, "the failed send was given back and sent once, by either"
    delivered = _digests(slack)
    assert len(delivered) == 21 and len(set(delivered)) == 20  # the failed attempt plus one each
    log = DeliveryLog(create_db_engine(db_url_for(tmp_path)))
    assert log.sent_count("digest", date(2026, 11, 23)) == 20


def test_the_profile_time_zone_follows_slack_unless_the_owner_chose_one(
    tmp_path: Path, slack: LocalSlack
) -> None:
    owners = _owners(tmp_path)
    owners.ensure("UMOVED", "Asia/Shanghai")
    owners.ensure("UCHOSE", "Asia/Shanghai")
    owners.change("UCHOSE", OwnerChanges(tz="Asia/Shanghai"))
    slack.user_timezones.update({"UMOVED": "Europe/Berlin", "UCHOSE": "Europe/Berlin"})
    slack.user_locales["UMOVED"] = "zh-CN"
    assert _scheduler(tmp_path, slack).scan(datetime(2026, 11, 23, 1, 0, tzinfo=UTC)) == 2
    assert {o.user: o.tz for o in owners.all()} == {"UCHOSE": "Asia/Shanghai", "UMOVED": "Europe/Berlin"}
    [chinese] = [c for c in slack.calls_to("chat.postMessage") if c.params["channel"] == "UMOVED"]
    assert "早上好" in str(chinese.params["blocks"])


def test_an_anomaly_comes_first_with_a_button_to_start_the_analysis(
    tmp_path: Path, slack: LocalSlack
) -> None:
    engine = create_db_engine(db_url_for(tmp_path))
    OwnerStore(engine).ensure("USH", "Asia/Shanghai")
    weekly = (130, 110, 100, 100, 105, 55, 45)
    reviewed = date(2026, 11, 22)
    values = []
    for back in range(70):
        day = reviewed - timedelta(days=back)
        values.append(MetricValue(day, "active_users", weekly[day.weekday()] * 10.0 + back % 3))
        values.append(MetricValue(day, "sales", weekly[day.weekday()] * 100.0 + back % 5))
    values[0] = MetricValue(reviewed, "active_users", 150.0)  # a Sunday at 150 instead of about 450
    MetricStore(engine).save(values)
    assert _scheduler(tmp_path, slack).scan(datetime(2026, 11, 23, 1, 0, tzinfo=UTC)) == 1
    [digest] = slack.calls_to("chat.postMessage")
    text = json.dumps(digest.params["blocks"], ensure_ascii=False)
    assert text.index("Active users") < text.index("Sales"), "the anomaly first"
    [button] = [
        b["accessory"]
        for b in digest.params["blocks"]
        if b.get("accessory", {}).get("action_id") == "digest_analyse"
    ]
    assert json.loads(button["value"]) == {
        "metric": "active_users",
        "day": "2026-11-22",
        "direction": "down",
        "lang": "en",
    }


def test_a_permanent_slack_error_is_not_retried_all_day(tmp_path: Path, slack: LocalSlack) -> None:
    _owners(tmp_path).ensure("UGONE", "Asia/Shanghai")
    slack.fail_next("chat.postMessage", 200, error="user_not_found")
    scheduler = _scheduler(tmp_path, slack)
    assert scheduler.scan(datetime(2026, 11, 23, 1, 0, tzinfo=UTC)) == 0
    assert scheduler.scan(datetime(2026, 11, 23, 1, 1, tzinfo=UTC)) == 0
    assert len(slack.calls_to("chat.postMessage")) == 1, "one attempt, then given up for the day"
    assert scheduler.scan(datetime(2026, 11, 24, 1, 0, tzinfo=UTC)) == 1, "tomorrow is another day"


def test_a_database_gone_mid_scan_is_one_warning_and_the_next_scan_sends(
    tmp_path: Path,
    slack: LocalSlack,
    monkeypatch,
    caplog,  # type: ignore[no-untyped-def]
) -> None:
    import logging

    from sqlalchemy.exc import OperationalError

    owners = _owners(tmp_path)
    for number in range(20):
        owners.ensure(f"U{number:03d}", "UTC")
    scheduler = _scheduler(tmp_path, slack)
    claim = DeliveryLog.claim

    def down(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("INSERT INTO deliveries", {}, ConnectionRefusedError("connection refused"))

    monkeypatch.setattr(DeliveryLog, "claim", down)
    with caplog.at_level(logging.WARNING):
        assert scheduler.scan(datetime(2026, 11, 23, 9, 0, tzinfo=UTC)) == 0
    # opsbot's own records only: a thread of another test's server may log in the same window
    records = [r for r in caplog.records if r.name.split(".")[0] in ("bot", "knowledge")]
    assert [r.levelname for r in records] == ["WARNING"]
    assert "DATABASE_URL" in records[0].getMessage()
    monkeypatch.setattr(DeliveryLog, "claim", claim)
    assert scheduler.scan(datetime(2026, 11, 23, 9, 1, tzinfo=UTC)) == 20
    assert scheduler.scan(datetime(2026, 11, 23, 9, 2, tzinfo=UTC)) == 0


def _slow_client_scheduler(tmp_path: Path, slack: LocalSlack) -> DigestScheduler:
    """A client that gives up after half a second, so a slow Slack costs a test a second."""
    scheduler = _scheduler(tmp_path, slack)
    scheduler._client.timeout = 0.5
    return scheduler


def _in_direct_message(slack: LocalSlack, user: str) -> int:
    return sum(1 for m in slack.messages.values() if m.channel == user and not m.ephemeral)


def test_a_digest_slack_posted_after_the_client_gave_up_is_found_not_sent_again(
    tmp_path: Path, slack: LocalSlack
) -> None:
    _owners(tmp_path).ensure("USH", "Asia/Shanghai")
    scheduler = _slow_client_scheduler(tmp_path, slack)
    slack.slow_next("chat.postMessage", 1.5)  # posted, answered after the client's timeout
    assert scheduler.scan(datetime(2026, 11, 23, 1, 0, tzinfo=UTC)) == 0
    assert _in_direct_message(slack, "USH") == 1
    assert scheduler.scan(datetime(2026, 11, 23, 1, 1, tzinfo=UTC)) == 1, "found in Slack and recorded"
    assert _in_direct_message(slack, "USH") == 1, "not posted a second time"
    [history] = slack.calls_to("conversations.history")
    assert history.params["channel"] == "DUSH" and history.params["include_all_metadata"] in (
        True,
        "1",
        "true",
    )
    assert scheduler.scan(datetime(2026, 11, 23, 1, 2, tzinfo=UTC)) == 0
    assert DeliveryLog(scheduler._engine).last_sent("USH", "digest").channel == "DUSH"  # type: ignore[union-attr]


def test_a_digest_that_failed_slowly_is_looked_for_then_sent(tmp_path: Path, slack: LocalSlack) -> None:
    _owners(tmp_path).ensure("USH", "Asia/Shanghai")
    scheduler = _slow_client_scheduler(tmp_path, slack)
    slack.fail_next("chat.postMessage", 503)
    slack.slow_next("chat.postMessage", 1.5)  # a 503 after the client gave up: nothing posted
    assert scheduler.scan(datetime(2026, 11, 23, 1, 0, tzinfo=UTC)) == 0
    assert _in_direct_message(slack, "USH") == 0
    assert scheduler.scan(datetime(2026, 11, 23, 1, 1, tzinfo=UTC)) == 1
    assert _in_direct_message(slack, "USH") == 1
    assert len(slack.calls_to("conversations.history")) == 1


def test_only_this_days_digest_counts_as_found(tmp_path: Path, slack: LocalSlack) -> None:
    _owners(tmp_path).ensure("USH", "Asia/Shanghai")
    scheduler = _slow_client_scheduler(tmp_path, slack)
    assert scheduler.scan(datetime(2026, 11, 20, 1, 0, tzinfo=UTC)) == 1  # Friday's
    slack.fail_next("chat.postMessage", 503)
    slack.slow_next("chat.postMessage", 1.5)
    assert scheduler.scan(datetime(2026, 11, 23, 1, 0, tzinfo=UTC)) == 0
    assert scheduler.scan(datetime(2026, 11, 23, 1, 1, tzinfo=UTC)) == 1, "Friday's is not Monday's"
    assert _in_direct_message(slack, "USH") == 2


def test_a_digest_in_flight_when_its_sender_died_is_recorded_by_the_next_not_doubled(
    tmp_path: Path, slack: LocalSlack
) -> None:
    _owners(tmp_path).ensure("USH", "Asia/Shanghai")
    scheduler = _scheduler(tmp_path, slack)
    nine = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    log = DeliveryLog(scheduler._engine)
    claim = log.claim("USH", date(2026, 11, 23), "digest", nine)
    assert claim is not None
    scheduler._post(scheduler._owners.ensure("USH", "UTC"), claim)  # Slack has it; then kill -9
    assert scheduler.scan(nine + timedelta(minutes=5)) == 0, "the claim may still be live"
    assert scheduler.scan(nine + timedelta(minutes=11)) == 1
    assert _in_direct_message(slack, "USH") == 1
    assert log.settled("digest") == {("USH", date(2026, 11, 23), "digest")}


def test_a_dead_senders_digest_that_never_reached_slack_is_sent(tmp_path: Path, slack: LocalSlack) -> None:
    _owners(tmp_path).ensure("USH", "Asia/Shanghai")
    scheduler = _scheduler(tmp_path, slack)
    nine = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    assert DeliveryLog(scheduler._engine).claim("USH", date(2026, 11, 23), "digest", nine) is not None
    assert scheduler.scan(nine + timedelta(minutes=11)) == 1
    assert _in_direct_message(slack, "USH") == 1


def test_without_history_access_the_retry_is_sent_with_a_warning(
    tmp_path: Path,
    slack: LocalSlack,
    caplog,  # type: ignore[no-untyped-def]
) -> None:
    _owners(tmp_path).ensure("USH", "Asia/Shanghai")
    scheduler = _slow_client_scheduler(tmp_path, slack)
    slack.fail_next("chat.postMessage", 503)
    slack.slow_next("chat.postMessage", 1.5)
    assert scheduler.scan(datetime(2026, 11, 23, 1, 0, tzinfo=UTC)) == 0
    slack.fail_next("conversations.history", 200, error="missing_scope")
    assert scheduler.scan(datetime(2026, 11, 23, 1, 1, tzinfo=UTC)) == 1
    assert any("cannot tell whether the digest" in r.getMessage() for r in caplog.records)


def test_a_lookup_that_fails_keeps_the_retry_for_the_next_scan(tmp_path: Path, slack: LocalSlack) -> None:
    _owners(tmp_path).ensure("USH", "Asia/Shanghai")
    scheduler = _slow_client_scheduler(tmp_path, slack)
    slack.slow_next("chat.postMessage", 1.5)
    assert scheduler.scan(datetime(2026, 11, 23, 1, 0, tzinfo=UTC)) == 0
    slack.slow_next("conversations.history", 1.5)
    assert scheduler.scan(datetime(2026, 11, 23, 1, 1, tzinfo=UTC)) == 0, "could not check: not sent"
    slack.fail_next("conversations.history", 200, error="internal_error")
    assert scheduler.scan(datetime(2026, 11, 23, 1, 2, tzinfo=UTC)) == 0
    assert scheduler.scan(datetime(2026, 11, 23, 1, 3, tzinfo=UTC)) == 1
    assert _in_direct_message(slack, "USH") == 1


def test_a_5xx_after_slack_posted_the_digest_is_looked_up_not_retried_blindly(
    tmp_path: Path, slack: LocalSlack
) -> None:
    """The schedulers' client (create_web_client(scheduled=True)) leaves 5xx retries to the delivery log."""
    from bot.slack.client import create_web_client

    _owners(tmp_path).ensure("USH", "Asia/Shanghai")
    client = create_web_client(BOT_TOKEN, slack.base_url, scheduled=True)
    scheduler = DigestScheduler(create_db_engine(db_url_for(tmp_path)), client, "UTC")
    slack.fail_next("chat.postMessage", 503, after_work=True)
    assert scheduler.scan(datetime(2026, 11, 23, 1, 0, tzinfo=UTC)) == 0
    assert len(slack.calls_to("chat.postMessage")) == 1, "no blind retry by the client"
    assert scheduler.scan(datetime(2026, 11, 23, 1, 1, tzinfo=UTC)) == 1, "found in Slack and recorded"
    assert _in_direct_message(slack, "USH") == 1
