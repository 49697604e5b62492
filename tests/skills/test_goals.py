"""Goals: what a person may type, and pace against a weekday profile or a straight line."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from skills.errors import SkillError
from skills.goals import Goal, behind_first, funnel_goals, goal_status, new_goal, split_goals, weekday_weights

KNOWN = ("sales", "new_customers", "retention", "customers")
JAN = date(2027, 1, 1)  # a Friday


def _days(start: date, count: int) -> list[date]:
    return [start + timedelta(days=n) for n in range(count)]


def test_a_goal_from_what_a_person_typed() -> None:
    goal = new_goal(" Q1  sales ", "sales", "1.2亿", JAN, date(2027, 3, 31), KNOWN, owner="U1")
    assert (goal.name, goal.target, goal.days, goal.owner) == ("Q1 sales", 120_000_000, 90, "U1")
    assert new_goal("r", "retention", "35%", JAN, JAN, KNOWN).target == pytest.approx(0.35)
    assert new_goal("r", "retention", "35", JAN, JAN, KNOWN).target == pytest.approx(0.35)
    assert new_goal("n", "new_customers", "5k", JAN, JAN, KNOWN).target == 5000


@pytest.mark.parametrize(
    ("metric", "target", "start", "end", "said"),
    [
        ("sale", "500w", JAN, JAN, "Did you mean: sales"),
        ("sales", "0", JAN, JAN, "above zero"),
        ("sales", "lots", JAN, JAN, "Expected an amount"),
        ("sales", "-5", JAN, JAN, "cannot be negative"),
        ("sales", "500w sales", JAN, JAN, "text after the amount"),
        ("sales", "35%", JAN, JAN, "not a rate"),
        ("sales", "500w", JAN, JAN - timedelta(days=1), "before it starts"),
    ],
)
def test_bad_goals_are_refused_saying_what_to_fix(
    metric: str, target: str, start: date, end: date, said: str
) -> None:
    with pytest.raises(SkillError) as refused:
        new_goal("g", metric, target, start, end, KNOWN)
    assert said in refused.value.en
    assert refused.value.zh


def test_a_flow_without_history_is_expected_in_a_straight_line() -> None:
    goal = Goal("g", "sales", 1000.0, JAN, JAN + timedelta(days=9))
    values = {day: 50.0 for day in _days(JAN, 4)}
    status = goal_status(goal, values, JAN + timedelta(days=3))
    assert status.pace == "linear"
    assert (status.actual, status.expected, status.projected) == (200.0, 400.0, 500.0)
    assert status.pace_pct == pytest.approx(50.0)
    assert not status.on_track
    assert status.days_left == 6
    assert status.burn_up == (50.0, 100.0, 150.0, 200.0)


def test_a_weekday_heavy_flow_is_not_behind_after_a_weekend() -> None:
    history_start = JAN - timedelta(days=56)
    weekday_sales = {day: (0.0 if day.weekday() >= 5 else 100.0) for day in _days(history_start, 56 + 3)}
    weights = weekday_weights(weekday_sales, JAN + timedelta(days=2))
    assert weights is not None and weights[5] == 0.0 and weights[0] == pytest.approx(1.4)
    goal = Goal("g", "sales", 2000.0, JAN, JAN + timedelta(days=27))  # four weeks: 20 weekdays
    after_weekend = goal_status(goal, weekday_sales, JAN + timedelta(days=2))  # Fri, Sat, Sun
    assert after_weekend.pace == "weekday"
    assert after_weekend.expected == pytest.approx(100.0)
    assert after_weekend.on_track and after_weekend.projected == pytest.approx(2000.0)
    linear = goal_status(
        goal, {day: v for day, v in weekday_sales.items() if day >= JAN}, JAN + timedelta(days=2)
    )
    assert linear.pace == "linear" and not linear.on_track, "without history the same numbers look behind"


def test_a_level_goal_is_reached_by_its_average() -> None:
    goal = Goal("g", "customers", 1000.0, JAN, JAN + timedelta(days=29))
    status = goal_status(goal, {JAN: 900.0, JAN + timedelta(days=2): 1200.0}, JAN + timedelta(days=2))
    assert status.actual == 1050.0 and status.on_track and status.pace == "average"
    assert status.burn_up == (900.0, 900.0, 1200.0)


def test_before_the_start_and_after_the_end() -> None:
    goal = Goal("g", "sales", 100.0, JAN, JAN + timedelta(days=9))
    early = goal_status(goal, {}, JAN - timedelta(days=3))
    assert not early.started and early.on_track and early.actual is None and early.pace_pct is None
    late = goal_status(goal, {day: 20.0 for day in _days(JAN, 10)}, JAN + timedelta(days=40))
    assert late.ended and late.actual == 200.0 and late.days_left == 0 and late.projected == 200.0
    assert late.as_json()["on_track"] is True


def test_behind_pace_first_then_soonest_end() -> None:
    day = JAN + timedelta(days=9)
    values = {d: 10.0 for d in _days(JAN, 10)}
    late = goal_status(Goal("late", "sales", 1000.0, JAN, JAN + timedelta(days=19)), values, day)  # 10%
    later = goal_status(Goal("later", "sales", 200.0, JAN, JAN + timedelta(days=29)), values, day)  # 150%
    soon = goal_status(Goal("soon", "sales", 150.0, JAN, JAN + timedelta(days=14)), values, day)  # on pace
    worst = goal_status(Goal("worst", "sales", 5000.0, JAN, JAN + timedelta(days=29)), values, day)
    assert [s.goal.name for s in behind_first([later, soon, late, worst])] == [
        "worst",
        "late",
        "soon",
        "later",
    ]


STAGES = (("sales", 5_000_000.0), ("customers", 100_000.0), ("downloads", 125_000.0))


def test_a_funnel_becomes_one_goal_per_named_stage() -> None:
    expression, spec = split_goals("500w sales / 5% customers / 80% downloads goals 2027-01-01..2027-12-31 x")
    assert expression == "500w sales / 5% customers / 80% downloads" and spec == "2027-01-01..2027-12-31 x"
    assert split_goals("500w sales / 5% customers") == ("500w sales / 5% customers", None)
    made = funnel_goals(
        STAGES, "2027-01-01..2027-12-31 customers=U1 downloads=<@U2|bo>", [*KNOWN, "downloads"]
    )
    assert [(g.name, g.metric, g.target, g.owner) for g in made] == [
        ("customers 2027-01-01..2027-12-31", "customers", 100_000.0, "U1"),
        ("downloads 2027-01-01..2027-12-31", "downloads", 125_000.0, "U2"),
    ]
    [own] = funnel_goals(STAGES, "2027-01-01..2027-12-31 sales=", KNOWN, default_owner="U9")
    assert own.owner == "U9" and own.target == 5_000_000


@pytest.mark.parametrize(
    ("spec", "said"),
    [
        ("customers=U1", "give the period"),
        ("2027-01-01..2027-12-31", "give the period"),
        (
            "2027-01-01..2027-12-31 visitors=U1",
            "no stage 'visitors'; its stages are sales, customers, downloads",
        ),
        ("2027-01-01..2027-12-31 downloads=U1", "There is no metric 'downloads'"),
        ("2027-12-31..2027-01-01 sales=U1", "before it starts"),
    ],
)
def test_funnel_goals_are_refused_whole(spec: str, said: str) -> None:
    with pytest.raises(SkillError) as refused:
        funnel_goals(STAGES, spec, KNOWN)
    assert said in refused.value.en
