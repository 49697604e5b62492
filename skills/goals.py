"""Goals: a target on a metric over a period, and whether it is on pace.

The playbook's loop runs goal → strategy → launch → monitoring → report; a goal is what the
monitoring is measured against. A flow goal (sales, new customers) is reached by the sum over the
period; a level goal (customers, retention, active users) by the average over it, as everywhere
else (`skills.metrics_csv.is_level_metric`). Goals are "reach at least": a target to bring a number
down is not one of them.

Expected-to-date follows the metric's weekday profile when there are enough recent weeks of values
(a metric that sells on weekdays is not "behind" on Monday morning after a quiet weekend), else a
straight line from the first day to the last.
"""

from __future__ import annotations

import difflib
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from skills.errors import SkillError
from skills.metrics_csv import format_metric_value, is_level_metric, is_rate_metric, metric_key, metric_label
from skills.retro import RetroDraft
from skills.sparklines import sparkline
from skills.transactions_csv import parse_as_of
from skills.units import parse_amount

PROFILE_WEEKS = 8
"""Weeks of values before the status date that the weekday profile is read from."""
PROFILE_MIN_WEEKS = 3
"""Each weekday must have a value in at least this many of those weeks for a profile."""
MAX_NAME = 80
CLOSEST_SHOWN = 3

Pace = Literal["weekday", "linear", "average"]


@dataclass(frozen=True)
class Goal:
    """`owner`: a Slack user id or "" ; `client`: a client id, or "" for the team's own numbers."""

    name: str
    metric: str
    target: float
    start: date
    end: date
    owner: str = ""
    client: str = ""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def is_level(self) -> bool:
        return is_level_metric(self.metric)


@dataclass(frozen=True)
class GoalStatus:
    """Where a goal stands at the end of `as_of`. `actual` is None while no value has come in;
    `pace_pct` is actual against expected-to-date (None before anything is expected)."""

    goal: Goal
    as_of: date
    actual: float | None
    expected: float
    projected: float | None
    pace_pct: float | None
    on_track: bool
    days_left: int
    pace: Pace
    burn_up: tuple[float, ...]
    """Flows: the running total for each day so far; levels: each day's value (carried over gaps)."""

    @property
    def started(self) -> bool:
        return self.as_of >= self.goal.start

    @property
    def ended(self) -> bool:
        return self.as_of >= self.goal.end

    def as_json(self) -> dict[str, object]:
        goal = self.goal
        return {
            "name": goal.name,
            "metric": goal.metric,
            "target": goal.target,
            "actual": _rounded(self.actual),
            "expected": _rounded(self.expected),
            "pace_pct": None if self.pace_pct is None else round(self.pace_pct, 1),
            "projected": _rounded(self.projected),
            "on_track": self.on_track,
            "days_left": self.days_left,
            "from": goal.start.isoformat(),
            "to": goal.end.isoformat(),
            "as_of": self.as_of.isoformat(),
            "owner": goal.owner or None,
            "client": goal.client or None,
            "expected_by": self.pace,
            "sparkline": self.sparkline,
        }

    @property
    def sparkline(self) -> str:
        return sparkline(list(self.burn_up)) if self.burn_up else ""


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def new_goal(
    name: str,
    metric: str,
    target: str,
    start: date,
    end: date,
    known_metrics: Iterable[str],
    owner: str = "",
    client: str = "",
) -> Goal:
    """A goal from what a person typed, or SkillError saying what to fix: an unknown metric (with the
    closest known names), a target that is not a positive amount (500w, 1.2万, 35%), an end before
    the start, a blank or overlong name."""
    name = " ".join(name.split())
    if not name:
        raise SkillError("Name the goal, e.g. `Q1 sales`.", "请给目标起个名字,例如「一季度销售」。")
    if len(name) > MAX_NAME:
        raise SkillError(
            f"A goal's name is at most {MAX_NAME} characters.", f"目标名称最多 {MAX_NAME} 个字符。"
        )
    known = sorted(set(known_metrics))
    if metric not in known:
        close = difflib.get_close_matches(metric, known, n=CLOSEST_SHOWN, cutoff=0.4)
        hint_en = (
            f" Did you mean: {', '.join(close)}?" if close else f" Known metrics: {', '.join(known[:12])}."
        )
        hint_zh = f"是不是:{'、'.join(close)}?" if close else f"已有的指标:{'、'.join(known[:12])}。"
        raise SkillError(f"There is no metric {metric!r}.{hint_en}", f"没有名为「{metric}」的指标。{hint_zh}")
    amount = _target(target, metric)
    if end < start:
        raise SkillError(
            f"The goal ends ({end}) before it starts ({start}).",
            f"目标的结束日期({end})早于开始日期({start})。",
        )
    return Goal(name, metric, amount, start, end, owner, client)


_USER = re.compile(r"^(?:<@)?@?([UW][A-Z0-9]+)(?:\|[^>]*)?>?$")


def owner_id(text: str) -> str:
    """A Slack user id from `U123ABC`, `@U123ABC` or a mention `<@U123ABC|name>`; SkillError else."""
    match = _USER.match(text.strip())
    if match is None:
        raise SkillError(
            f"The owner must be a Slack user id such as U0123ABCD, not {text.strip()!r} "
            "(in Slack: their profile › ⋮ › Copy member ID).",
            f"负责人须是 Slack 用户 ID,例如 U0123ABCD,而不是「{text.strip()}」(在 Slack 中:个人资料 › ⋮ › 复制成员 ID)。",
        )
    return match[1]


def _target(text: str, metric: str) -> float:
    """A positive amount; a rate (kept as a fraction, like imported rates) may be written 35%, 35
    or 0.35."""
    shown = text.strip()
    try:
        value, rest = parse_amount(shown.rstrip("%"))
    except SkillError as error:
        raise SkillError(f"Target {shown!r}: {error.en}", f"目标值「{shown}」:{error.zh}") from None
    if rest.strip():
        raise SkillError(
            f"The target {shown!r} has text after the amount; write e.g. 500w or 35%.",
            f"目标值「{shown}」在数量后还有文字;请写成 500万 或 35% 这样。",
        )
    rate = is_rate_metric(metric)
    if shown.endswith("%") and not rate:
        raise SkillError(
            f"{metric} is a count, not a rate: give the target as an amount (e.g. 500w), not {shown}.",
            f"{metric} 是数量而不是比率:目标请写数量(例如 500万),而不是 {shown}。",
        )
    if rate and (shown.endswith("%") or value > 1):
        value /= 100
    if value <= 0:
        raise SkillError(f"The target must be above 0 (got {shown}).", f"目标值必须大于 0(现在是 {shown})。")
    return value


def goal_status(goal: Goal, values: Mapping[date, float], as_of: date) -> GoalStatus:
    """The goal at the end of `as_of`, from the metric's daily `values` (the period's, and the
    weeks before `as_of` for the weekday profile). Days without a value count as 0 for a flow
    and are left out of a level's average."""
    last = min(as_of, goal.end)
    days = [goal.start + timedelta(days=n) for n in range(goal.days)]
    elapsed = [day for day in days if day <= last]
    days_left = max((goal.end - as_of).days, 0)
    if goal.is_level:
        seen = [values[day] for day in elapsed if day in values]
        actual = statistics.fmean(seen) if seen else None
        burn_up = _carried([values.get(day) for day in elapsed])
        pace_pct = None if actual is None else actual / goal.target * 100
        return GoalStatus(
            goal,
            as_of,
            actual,
            goal.target if elapsed else 0.0,
            actual,
            pace_pct,
            actual is None or _reaches(actual, goal.target),
            days_left,
            "average",
            burn_up,
        )
    weights = weekday_weights(values, as_of)
    pace: Pace = "weekday" if weights is not None else "linear"
    weight = weights or (1.0,) * 7
    share_total = sum(weight[day.weekday()] for day in days)
    share = sum(weight[day.weekday()] for day in elapsed) / share_total if share_total else 0.0
    running, burn_up = 0.0, []
    for day in elapsed:
        running += values.get(day, 0.0)
        burn_up.append(running)
    received = any(day in values for day in elapsed)
    actual = running if received else None
    expected = goal.target * share
    projected = running / share if share > 0 and received else None
    return GoalStatus(
        goal,
        as_of,
        actual,
        expected,
        projected,
        running / expected * 100 if expected > 0 else None,
        expected == 0 or (projected is not None and _reaches(projected, goal.target)),
        days_left,
        pace,
        tuple(burn_up),
    )


def _reaches(value: float, target: float) -> bool:
    """At or above the target, a rounding error aside (weights sum to a period in floats)."""
    return value >= target * (1 - 1e-9)


def weekday_weights(values: Mapping[date, float], as_of: date) -> tuple[float, ...] | None:
    """Each weekday's share of a typical week, relative to the mean day (Monday first), from the
    PROFILE_WEEKS weeks ending at `as_of`; None unless every weekday has values in at least
    PROFILE_MIN_WEEKS of them and the week adds up to more than 0."""
    since = as_of - timedelta(days=7 * PROFILE_WEEKS - 1)
    by_weekday: list[list[float]] = [[] for _ in range(7)]
    for day, value in values.items():
        if since <= day <= as_of:
            by_weekday[day.weekday()].append(value)
    if any(len(seen) < PROFILE_MIN_WEEKS for seen in by_weekday):
        return None
    means = [statistics.fmean(seen) for seen in by_weekday]
    overall = statistics.fmean(means)
    if overall <= 0 or any(mean < 0 for mean in means):
        return None
    return tuple(mean / overall for mean in means)


def _carried(values: Sequence[float | None]) -> tuple[float, ...]:
    """Each day's value, a gap showing the day before's (a sparkline without holes)."""
    shown: list[float] = []
    for value in values:
        if value is not None:
            shown.append(value)
        elif shown:
            shown.append(shown[-1])
    return tuple(shown)


def describe(status: GoalStatus, lang: Literal["en", "zh"]) -> str:
    """One line for people: name, metric, actual against target, pace, what is projected."""
    goal = status.goal
    label = metric_label(goal.metric, lang)
    actual = format_metric_value(goal.metric, status.actual)
    target = format_metric_value(goal.metric, goal.target)
    if not status.started:
        return (
            f"{goal.name}: {label} {target}, starts {goal.start}"
            if lang == "en"
            else f"{goal.name}:{label} {target},{goal.start} 开始"
        )
    pace = "" if status.pace_pct is None else f"{status.pace_pct:.0f}%"
    projected = format_metric_value(goal.metric, status.projected)
    if lang == "zh":
        state = "进度正常" if status.on_track else "落后"
        tail = f",预计 {projected}" if not goal.is_level else ""
        return f"{goal.name}:{label} {actual} / {target}(进度 {pace},{state}{tail},剩 {status.days_left} 天)"
    state = "on track" if status.on_track else "behind"
    tail = f", heading for {projected}" if not goal.is_level else ""
    return f"{goal.name}: {label} {actual} of {target} ({pace} of pace, {state}{tail}, {status.days_left} days left)"


def behind_first(goals: Iterable[GoalStatus]) -> tuple[GoalStatus, ...]:
    """Goals behind pace first, furthest behind first; then the others, soonest end first."""
    return tuple(
        sorted(
            goals,
            key=lambda s: (s.on_track, 0.0 if s.on_track else s.pace_pct or 0.0, s.goal.end),
        )
    )


_GOALS_WORD = re.compile(r"\s+(?:goals?|目标)\s+", re.IGNORECASE)


def split_goals(text: str) -> tuple[str, str | None]:
    """`/funnel EXPRESSION goals FROM..TO stage=U1 …` → (the funnel expression, the goals part)."""
    parts = _GOALS_WORD.split(text, maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else (text, None)


def funnel_goals(
    stages: Sequence[tuple[str, float]], spec: str, known_metrics: Iterable[str], default_owner: str = ""
) -> list[Goal]:
    """One goal per stage named in `spec` (`2027-01-01..2027-12-31 downloads=U1 customers=U2`), its
    target the stage's value: the playbook's annual target split into each owner's share. All or
    nothing: SkillError (saying what to fix) when any part is wrong."""
    period = [word for word in spec.split() if ".." in word]
    assignments = [word.partition("=") for word in spec.split() if "=" in word and ".." not in word]
    if len(period) != 1 or not assignments:
        raise SkillError(
            "After `goals`, give the period and who owns which stage: "
            "`goals 2027-01-01..2027-12-31 downloads=U0123ABCD customers=U0456EFGH`.",
            "在「目标」后写上周期和各阶段负责人:`目标 2027-01-01..2027-12-31 下载=U0123ABCD 客户=U0456EFGH`。",
        )
    first, _, last = period[0].partition("..")
    start, end = parse_as_of(first, "from"), parse_as_of(last, "to")
    by_name = {name.casefold(): (name, value) for name, value in stages}
    by_name |= {metric_key(name).casefold(): (name, value) for name, value in stages}
    known = list(known_metrics)
    goals = []
    for stage_name, _, owner in assignments:
        found = by_name.get(stage_name.casefold()) or by_name.get(metric_key(stage_name).casefold())
        if found is None:
            names = ", ".join(name for name, _ in stages)
            raise SkillError(
                f"The funnel has no stage {stage_name!r}; its stages are {names}.",
                f"漏斗里没有「{stage_name}」这个阶段;现有阶段:{names}。",
            )
        name, value = found
        goals.append(
            new_goal(
                f"{name} {start}..{end}",
                metric_key(name),
                f"{value:.6f}".rstrip("0").rstrip("."),
                start,
                end,
                known,
                owner_id(owner) if owner else default_owner,
            )
        )
    return goals


def goal_retro_draft(status: GoalStatus, lang: Literal["en", "zh"]) -> RetroDraft:
    """The retrospective of an ended goal, prefilled: its target as step one, what came of it as
    step two; causes and lessons are the team's own words."""
    goal = status.goal
    label = metric_label(goal.metric, lang)
    target = format_metric_value(goal.metric, goal.target)
    actual = format_metric_value(goal.metric, status.actual)
    share = "" if status.actual is None else f"{status.actual / goal.target * 100:.0f}%"
    averaged = goal.is_level
    if lang == "zh":
        how = "日均" if averaged else "合计"
        goal_text = f"{goal.start} 至 {goal.end},{label}{how}达到 {target}。"
        result = f"{label}{how} {actual},为目标的 {share}。" if share else f"这段时间没有{label}的数据。"
        return RetroDraft(f"复盘:{goal.name}", goal_text, result)
    how = "a day on average" if averaged else "in total"
    goal_text = f"{label} of {target} {how}, {goal.start} to {goal.end}."
    result = (
        f"{label} came to {actual} {how}: {share} of the target." if share else f"No {label} numbers came in."
    )
    return RetroDraft(f"Retro: {goal.name}", goal_text, result)
