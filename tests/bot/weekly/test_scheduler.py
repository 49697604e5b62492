"""The weekly post with a controlled clock against the loopback Slack: due at the configured local
weekday and time, caught up later that week after downtime, once per week across restarts and two
schedulers racing, retried after a passing failure and not after a permanent one."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from slack_sdk import WebClient

from bot.core.config import SettingsError
from bot.local.slack_api import LocalSlack
from bot.storage.delivery_log import DeliveryLog
from bot.storage.engine import create_db_engine
from bot.storage.team_settings import WEEKLY_AT, WEEKLY_CHANNEL, TeamSettings
from bot.weekly.scheduler import (
    ChosenChannelWeekly,
    WeeklyScheduler,
    WeeklyTiming,
    create_weekly_scheduler,
    parse_weekly_at,
)
from skills.schedule import parse_zone
from tests.bot.weekly.test_summary import seed_week
from tests.conftest import BOT_TOKEN, db_url_for, make_settings

CHANNEL = "C0WEEKLY"


def _scheduler(tmp_path: Path, slack: LocalSlack, at: str = "mon 10:00") -> WeeklyScheduler:
    """A new scheduler object on the same database, as after a restart."""
    engine = create_db_engine(db_url_for(tmp_path))
    client = WebClient(token=BOT_TOKEN, base_url=slack.base_url)
    return WeeklyScheduler(engine, client, CHANNEL, parse_weekly_at(at), parse_zone("Asia/Shanghai"))


def _posts(slack: LocalSlack) -> list[str]:
    return [str(call.params["text"]) for call in slack.calls_to("chat.postMessage")]


def test_the_setting_names_one_weekday_and_a_time_in_either_language() -> None:
    assert parse_weekly_at("mon 10:00") == WeeklyTiming(0, time(10, 0), "en")
    assert parse_weekly_at("Friday 17:30") == WeeklyTiming(4, time(17, 30), "en")
    assert parse_weekly_at("周一 10:00") == WeeklyTiming(0, time(10, 0), "zh")
    assert parse_weekly_at("星期五9:30") == WeeklyTiming(4, time(9, 30), "zh")
    for bad in ("mon-fri 10:00", "10:00", "mon 25:00", "someday 10:00", ""):
        with pytest.raises(
            SettingsError, match=r"^Setting OPSBOT_WEEKLY_AT: .* e\.g\. mon 10:00 or 周一 10:00\.$"
        ):
            parse_weekly_at(bad)


def test_posted_once_at_the_local_time_and_never_again_after_a_restart(
    tmp_path: Path, slack: LocalSlack
) -> None:
    seed_week(create_db_engine(db_url_for(tmp_path)), date(2026, 11, 16), date(2026, 11, 23))
    scheduler = _scheduler(tmp_path, slack)
    assert scheduler.scan(datetime(2026, 11, 23, 1, 59, tzinfo=UTC)) == 0  # 09:59 in Shanghai
    assert scheduler.scan(datetime(2026, 11, 23, 2, 0, tzinfo=UTC)) == 1
    assert scheduler.scan(datetime(2026, 11, 23, 2, 1, tzinfo=UTC)) == 0
    assert _scheduler(tmp_path, slack).scan(datetime(2026, 11, 25, 3, 0, tzinfo=UTC)) == 0, "a new process"
    [post] = slack.calls_to("chat.postMessage")
    assert post.params["channel"] == CHANNEL
    assert "2026-W47" in post.params["text"] and "Sales came to 721" in post.params["text"]
    log = DeliveryLog(create_db_engine(db_url_for(tmp_path)))
    assert log.sent_count("weekly", date(2026, 11, 16)) == 1
    assert log.sent_count("digest") == 0, "its own kind in the shared log"


def test_a_process_that_was_down_catches_up_later_that_week_only(tmp_path: Path, slack: LocalSlack) -> None:
    assert _scheduler(tmp_path, slack).scan(datetime(2026, 11, 29, 15, 59, tzinfo=UTC)) == 1  # Sun 23:59
    assert "2026-W47" in _posts(slack)[0]
    restarted = _scheduler(tmp_path, slack)
    assert restarted.scan(datetime(2026, 11, 29, 16, 0, tzinfo=UTC)) == 0, "Monday 00:00: not yet 10:00"
    assert restarted.scan(datetime(2026, 11, 30, 2, 0, tzinfo=UTC)) == 1
    assert "2026-W48" in _posts(slack)[1] and len(_posts(slack)) == 2


def test_two_schedulers_racing_post_once(tmp_path: Path, slack: LocalSlack) -> None:
    racers = [_scheduler(tmp_path, slack) for _ in range(4)]
    moment = datetime(2026, 11, 23, 2, 5, tzinfo=UTC)
    start = threading.Barrier(len(racers))
    counts: list[int] = []

    def race(scheduler: WeeklyScheduler) -> None:
        start.wait()
        counts.append(scheduler.scan(moment))

    threads = [threading.Thread(target=race, args=(s,)) for s in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) == [0, 0, 0, 1] and len(_posts(slack)) == 1


def test_a_passing_failure_is_retried_and_a_permanent_one_ends_the_week(
    tmp_path: Path, slack: LocalSlack
) -> None:
    scheduler = _scheduler(tmp_path, slack)
    slack.fail_next("chat.postMessage", 500)
    assert scheduler.scan(datetime(2026, 11, 23, 2, 0, tzinfo=UTC)) == 0
    assert scheduler.scan(datetime(2026, 11, 23, 2, 1, tzinfo=UTC)) == 1, "the claim was given back"
    slack.fail_next("chat.postMessage", 200, error="channel_not_found")
    assert scheduler.scan(datetime(2026, 11, 30, 2, 0, tzinfo=UTC)) == 0
    assert scheduler.scan(datetime(2026, 12, 1, 2, 0, tzinfo=UTC)) == 0, "not retried that week"
    assert scheduler.scan(datetime(2026, 12, 7, 2, 0, tzinfo=UTC)) == 1, "the next week tries again"
    assert len(_posts(slack)) == 4


def test_the_post_is_chinese_when_the_setting_is(tmp_path: Path, slack: LocalSlack) -> None:
    scheduler = _scheduler(tmp_path, slack, at="周五 17:00")
    assert scheduler.scan(datetime(2026, 11, 27, 8, 59, tzinfo=UTC)) == 0
    assert scheduler.scan(datetime(2026, 11, 27, 9, 0, tzinfo=UTC)) == 1
    assert "周报" in _posts(slack)[0] and "2026-W47" in _posts(slack)[0]


def test_created_from_settings_with_the_servers_channel_or_the_teams_choice(
    tmp_path: Path, slack: LocalSlack
) -> None:
    client = WebClient(token=BOT_TOKEN, base_url=slack.base_url)
    chosen = create_weekly_scheduler(make_settings(tmp_path), client)
    assert isinstance(chosen, ChosenChannelWeekly)
    assert chosen.scan(datetime(2026, 11, 23, 2, 0, tzinfo=UTC)) == 0, "no channel chosen: nothing"
    settings = make_settings(tmp_path, OPSBOT_WEEKLY_CHANNEL=CHANNEL, OPSBOT_WEEKLY_TIMEZONE="Asia/Shanghai")
    scheduler = create_weekly_scheduler(settings, client)
    assert scheduler is not None
    assert scheduler.scan(datetime(2026, 11, 23, 2, 0, tzinfo=UTC)) == 1
    with pytest.raises(SettingsError, match="OPSBOT_WEEKLY_AT"):
        create_weekly_scheduler(
            make_settings(tmp_path, OPSBOT_WEEKLY_CHANNEL=CHANNEL, OPSBOT_WEEKLY_AT="often"), client
        )


def test_a_summary_slack_posted_after_a_timeout_is_found_not_posted_again(
    tmp_path: Path, slack: LocalSlack
) -> None:
    seed_week(create_db_engine(db_url_for(tmp_path)), date(2026, 11, 16), date(2026, 11, 23))
    scheduler = _scheduler(tmp_path, slack)
    scheduler._client.timeout = 0.5
    slack.slow_next("chat.postMessage", 1.5)
    assert scheduler.scan(datetime(2026, 11, 23, 2, 0, tzinfo=UTC)) == 0
    assert scheduler.scan(datetime(2026, 11, 23, 2, 1, tzinfo=UTC)) == 1
    assert [m.channel for m in slack.messages.values()] == [CHANNEL]
    [history] = slack.calls_to("conversations.history")
    assert history.params["channel"] == CHANNEL


def test_the_channel_chosen_in_slack_gets_the_summary_and_a_change_applies_at_the_next_scan(
    tmp_path: Path, slack: LocalSlack
) -> None:
    engine = create_db_engine(db_url_for(tmp_path))
    seed_week(engine, date(2026, 11, 16), date(2026, 11, 23))
    settings = make_settings(tmp_path, OPSBOT_WEEKLY_TIMEZONE="Asia/Shanghai")
    weekly = ChosenChannelWeekly(settings, WebClient(token=BOT_TOKEN, base_url=slack.base_url))
    choices = TeamSettings(engine)
    choices.put({WEEKLY_CHANNEL: "C0FIRST", WEEKLY_AT: "周一 10:00"}, by="UADMIN")
    assert weekly.scan(datetime(2026, 11, 23, 1, 59, tzinfo=UTC)) == 0
    assert weekly.scan(datetime(2026, 11, 23, 2, 0, tzinfo=UTC)) == 1
    assert weekly.scan(datetime(2026, 11, 23, 2, 1, tzinfo=UTC)) == 0, "once a week"
    [first] = slack.calls_to("chat.postMessage")
    assert first.params["channel"] == "C0FIRST" and "周报" in first.params["text"]
    choices.put({WEEKLY_CHANNEL: "C0SECOND", WEEKLY_AT: "mon 10:00"}, by="UADMIN")
    assert weekly.scan(datetime(2026, 11, 30, 2, 0, tzinfo=UTC)) == 1
    assert slack.calls_to("chat.postMessage")[-1].params["channel"] == "C0SECOND"
    choices.clear(WEEKLY_CHANNEL, WEEKLY_AT)
    assert weekly.scan(datetime(2026, 12, 7, 2, 0, tzinfo=UTC)) == 0, "turned off"
    assert len(slack.calls_to("chat.postMessage")) == 2
