"""A bot token Slack refuses (revoked, app uninstalled, workspace inactive) pauses every scheduled job
of the workspace with one ERROR line, instead of a retry and a warning per recipient every minute;
a later auth.test that succeeds resumes them, and the refused digest still goes out once."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient

from bot.digest.scheduler import DigestScheduler
from bot.local.slack_api import LocalSlack
from bot.renewal.scheduler import RenewalScheduler
from bot.slack.delivery import deliver_once
from bot.slack.health import RECHECK, SlackHealth, health_of
from bot.storage.clients import ClientStore
from bot.storage.delivery_log import DeliveryLog
from bot.storage.engine import create_db_engine
from bot.storage.owners import OwnerStore
from bot.weekly.scheduler import WeeklyScheduler, parse_weekly_at
from skills.client_roster import ClientRecord
from skills.schedule import parse_zone
from tests.conftest import BOT_TOKEN, db_url_for, make_settings

NINE_IN_SHANGHAI = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def client(slack: LocalSlack) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=slack.base_url)


def _digests(tmp_path: Path, client: WebClient, *owners: str) -> DigestScheduler:
    engine = create_db_engine(db_url_for(tmp_path))
    for owner in owners:
        OwnerStore(engine).ensure(owner, "Asia/Shanghai")
    return DigestScheduler(engine, client, "UTC")


def _stop_failing(slack: LocalSlack) -> None:
    """The token works again: drop the faults still queued."""
    slack.clear_faults()


def _refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_refused_token_pauses_the_digests_logs_once_and_recovers(
    tmp_path: Path, slack: LocalSlack, client: WebClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    scheduler = _digests(tmp_path, client, "USH")
    scans = 10
    slack.fail_next("chat.postMessage", 200, error="invalid_auth", times=scans)
    for minute in range(scans):
        assert scheduler.scan(NINE_IN_SHANGHAI + timedelta(minutes=minute)) == 0
    assert len(slack.calls_to("chat.postMessage")) == 1, "one attempt, not one per scan"
    [line] = _refusals(caplog)
    assert "invalid_auth" in line and "Reinstall the Slack app" in line and "SLACK_BOT_TOKEN" in line
    assert not [r for r in caplog.records if r.levelno == logging.WARNING], "no warning per scan either"
    assert slack.calls_to("auth.test") == [], "no re-check before the interval"

    _stop_failing(slack)
    slack.fail_next("auth.test", 200, error="token_revoked")  # the first re-check: still refused
    assert scheduler.scan(NINE_IN_SHANGHAI + RECHECK) == 0
    assert scheduler.scan(NINE_IN_SHANGHAI + RECHECK + timedelta(minutes=5)) == 0
    assert len(slack.calls_to("auth.test")) == 1
    assert len(_refusals(caplog)) == 1, "a failed re-check adds no ERROR"

    assert scheduler.scan(NINE_IN_SHANGHAI + 2 * RECHECK) == 1, "reinstalled: the claim was given back"
    assert scheduler.scan(NINE_IN_SHANGHAI + 2 * RECHECK + timedelta(minutes=1)) == 0, "and sent once"
    assert len(slack.calls_to("chat.postMessage")) == 2
    assert DeliveryLog(create_db_engine(db_url_for(tmp_path))).sent_count("digest") == 1
    assert any("accepts opsbot's bot token again" in r.getMessage() for r in caplog.records)


def test_a_refusal_stops_the_rest_of_the_scan(tmp_path: Path, slack: LocalSlack, client: WebClient) -> None:
    scheduler = _digests(tmp_path, client, "UA", "UB", "UC")
    slack.fail_next("chat.postMessage", 200, error="token_revoked", times=3)
    assert scheduler.scan(NINE_IN_SHANGHAI) == 0
    assert len(slack.calls_to("chat.postMessage")) == 1
    _stop_failing(slack)
    assert scheduler.scan(NINE_IN_SHANGHAI + RECHECK) == 3, "all three within the grace period"


def test_account_inactive_from_users_info_is_the_token_too(
    tmp_path: Path, slack: LocalSlack, client: WebClient, caplog: pytest.LogCaptureFixture
) -> None:
    """With a bot token Slack's account_inactive means the workspace or app, not the recipient."""
    scheduler = _digests(tmp_path, client, "USH")
    slack.fail_next("users.info", 200, error="account_inactive", times=5)
    for minute in range(5):
        assert scheduler.scan(NINE_IN_SHANGHAI + timedelta(minutes=minute)) == 0
    assert slack.calls_to("chat.postMessage") == [], "not even one message tried"
    assert len(slack.calls_to("users.info")) == 1
    [line] = _refusals(caplog)
    assert "account_inactive" in line


def test_the_schedulers_of_one_client_pause_together(
    tmp_path: Path, slack: LocalSlack, client: WebClient, caplog: pytest.LogCaptureFixture
) -> None:
    digests = _digests(tmp_path, client, "USH")
    engine = create_db_engine(db_url_for(tmp_path))
    weekly = WeeklyScheduler(
        engine, client, "C0WEEKLY", parse_weekly_at("mon 09:00"), parse_zone("Asia/Shanghai")
    )
    assert weekly.health is digests.health is health_of(client)
    slack.fail_next("chat.postMessage", 200, error="not_authed", times=5)
    assert digests.scan(NINE_IN_SHANGHAI) == 0
    assert weekly.scan(NINE_IN_SHANGHAI + timedelta(minutes=1)) == 0
    assert [c.params["channel"] for c in slack.calls_to("chat.postMessage")] == ["USH"]
    assert len(_refusals(caplog)) == 1
    _stop_failing(slack)
    assert weekly.scan(NINE_IN_SHANGHAI + RECHECK) == 1
    assert digests.scan(NINE_IN_SHANGHAI + RECHECK) == 1


def test_renewal_reminders_pause_after_the_first_refusal(
    tmp_path: Path, slack: LocalSlack, client: WebClient, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_db_engine(db_url_for(tmp_path))
    end = date(2027, 3, 1)
    ClientStore(engine).save(
        [ClientRecord("C1", "Acme", 500_000, end, "U0ACME"), ClientRecord("C2", "Beta", 9_000, end, "U0BETA")]
    )
    scheduler = RenewalScheduler(engine, client, make_settings(tmp_path))
    monday = datetime(2027, 2, 1, 9, 30, tzinfo=UTC)
    slack.fail_next("chat.postMessage", 200, error="token_revoked", times=10)
    for minute in range(0, 15, 3):
        assert scheduler.scan(monday + timedelta(minutes=minute)) == 0
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert len(_refusals(caplog)) == 1
    _stop_failing(slack)
    assert scheduler.scan(monday + RECHECK) == 2


def test_a_slack_outage_during_the_recheck_keeps_the_pause(slack: LocalSlack, client: WebClient) -> None:
    health = SlackHealth(client)
    health.token_refused("invalid_auth", NINE_IN_SHANGHAI)
    slack.fail_next("auth.test", 503)
    assert not health.ready(NINE_IN_SHANGHAI + RECHECK)
    assert health.paused
    assert health.ready(NINE_IN_SHANGHAI + 2 * RECHECK)
    assert not health.paused and health.ready(NINE_IN_SHANGHAI + 2 * RECHECK)


def test_without_a_health_the_refusal_is_an_error_and_the_claim_is_given_back(
    tmp_path: Path, slack: LocalSlack, client: WebClient, caplog: pytest.LogCaptureFixture
) -> None:
    """`opsbot digest --send` delivers once, outside the schedulers."""
    log = DeliveryLog(create_db_engine(db_url_for(tmp_path)))
    day = date(2026, 11, 23)
    claim = log.claim("USH", day, "digest")
    assert claim is not None
    slack.fail_next("chat.postMessage", 200, error="invalid_auth")

    def post() -> tuple[str, str]:
        response = client.chat_postMessage(channel="USH", text="hi")
        return str(response["channel"]), str(response["ts"])

    assert not deliver_once(log, claim, post)
    assert "SLACK_BOT_TOKEN" in _refusals(caplog)[0]
    assert log.claim("USH", day, "digest") is not None, "released, not failed for the day"
