"""`/ops goal` (目标) through the real Bolt app: add, list, close, and what is refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.storage.goals import GoalStore
from bot.storage.metrics import MetricStore
from skills.metrics_csv import MetricValue
from tests.bot.conftest import Running
from tests.conftest import SIGNING_SECRET
from tests.fakes.slack_requests import send_command


def _goal(running: Running, text: str, user: str = "U123") -> str:
    before = len(running.slack.responses)
    status, _ = send_command(
        running.events_url,
        SIGNING_SECRET,
        "/ops",
        text,
        running.slack.response_url("goal"),
        user=user,
    )
    assert status == 200
    assert running.slack.wait_for(lambda s: len(s.responses) > before, timeout=30)
    return json.dumps(running.slack.responses[before], ensure_ascii=False)


def test_a_goal_added_in_slack_is_listed_with_its_pace_and_closed_by_its_owner(running: Running) -> None:
    running.slack.user_timezones["U123"] = "UTC"
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    start, end = yesterday - timedelta(days=9), yesterday + timedelta(days=20)
    MetricStore(running.services.owners.engine).save(
        [MetricValue(start + timedelta(days=n), "sales", 100.0) for n in range(10)]
    )
    added = _goal(running, f'goal add "Month sales" metric=sales target=3000 {start}..{end}')
    assert "Goal added: Month sales: Sales 1,000 of 3,000 (100% of pace, on track" in added
    listed = _goal(running, "目标")
    assert "*目标*" in listed and "Month sales:销售额 1,000 / 3,000" in listed and "<@U123>" in listed
    refused = _goal(running, "goal close Month sales", user="UOTHER")
    assert "Only U123 or an opsbot admin can close" in refused
    assert "Closed the goal" in _goal(running, "goal close month sales")
    assert GoalStore(running.services.owners.engine).goals() == []


def test_bad_goals_are_refused_in_the_askers_language_and_nothing_is_saved(running: Running) -> None:
    assert "Add a goal like" in _goal(running, "goal add Q1 sales metric=sales")
    assert "没有名为「销量」的指标" in _goal(
        running, "目标 添加 一季度 指标=销量 目标值=1亿 2027-01-01..2027-03-31"
    )
    assert "早于开始日期" in _goal(running, "目标 添加 一季度 指标=sales 目标值=1亿 2027-03-31..2027-01-01")
    assert "above zero" in _goal(running, "goal add Q1 metric=sales target=0 2027-01-01..2027-03-31")
    assert "No clients yet" in _goal(
        running, "goal add Q1 metric=sales target=1 2027-01-01..2027-03-31 client=Nobody"
    )
    assert "<!channel>" not in _goal(
        running, "goal add <!channel> metric=sale target=1 2027-01-01..2027-03-31"
    )
    assert GoalStore(running.services.owners.engine).goals(include_closed=True) == []


def test_a_funnel_with_goals_splits_the_target_between_owners(running: Running) -> None:
    before = len(running.slack.responses)
    status, _ = send_command(
        running.events_url,
        SIGNING_SECRET,
        "/funnel",
        "1.2亿 sales / 5% customers goals 2027-01-01..2027-12-31 sales=U123 customers=U456",
        running.slack.response_url("funnel"),
    )
    assert status == 200
    assert running.slack.wait_for(lambda s: len(s.responses) > before, timeout=30)
    reply = json.dumps(running.slack.responses[before], ensure_ascii=False)
    assert "Goals added from the funnel" in reply and "customers 2027-01-01..2027-12-31" in reply
    goals = {stored.goal.name: stored.goal for stored in GoalStore(running.services.owners.engine).goals()}
    assert goals["customers 2027-01-01..2027-12-31"].target == 2_400_000_000
    assert goals["sales 2027-01-01..2027-12-31"].owner == "U123"
    refused_before = len(running.slack.responses)
    send_command(
        running.events_url,
        SIGNING_SECRET,
        "/funnel",
        "1.2亿 sales / 5% customers 目标 2027-01-01..2027-12-31 sales=U123",
        running.slack.response_url("again"),
    )
    assert running.slack.wait_for(lambda s: len(s.responses) > refused_before, timeout=30)
    assert "already a goal called" in json.dumps(running.slack.responses[refused_before], ensure_ascii=False)
    assert len(GoalStore(running.services.owners.engine).goals()) == 2


def test_a_saved_goal_is_never_reported_as_lost(running: Running, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(*_args: object) -> list[object]:
        raise RuntimeError("the metrics table went away after the write")

    monkeypatch.setattr("bot.goals.commands.goal_statuses", broken)
    reply = _goal(running, "goal add Q1 metric=sales target=1 2027-01-01..2027-03-31")
    assert "Goal added: Q1" in reply and "Nothing was changed" not in reply
    assert [s.goal.name for s in GoalStore(running.services.owners.engine).goals()] == ["Q1"]
