"""The weekly summary: each watched metric this week against last week and the same week a month
earlier, the week's anomalies, feedback by category with the most repeated items, to-dos done by
owner and renewals coming up (the draft narrative written from them: skills.weekly_draft).

Pure: the caller passes `today` (in the summary's time zone), the metric series, the week's feedback,
the done to-dos and the client contracts. The rules:

- A week is an ISO week, Monday to Sunday. `week_of` picks the week that contains that day; without
  it the summary covers the last complete week before `today`, so a Monday run reviews the week
  that has just ended.
- "The same week last month" is the week 28 days earlier, so weekdays line up.
- A week that has not ended (`week_of` in the current week) covers its days before `today`, and is
  compared with the same weekdays of last week and of four weeks earlier: like with like, never
  three days against seven. The draft says so. A week that starts today has no day to show yet.
- Flow metrics are summed over the week: sales, new_customers, campaign_participants, and any
  name not listed below. Level metrics are averaged over the days that have a value: customers,
  retention, active_users, and any name that ends in `rate`, `_pct`, `ratio` or 率, or contains
  `retention`, `active`, 留存 or 活跃. A sum is not scaled up for missing days.
- change_pct = (this − last) / |last| × 100, rounded to one decimal; None when last week has no
  value or is 0. vs_last_month_pct compares with the same week last month the same way.
- Anomalies: `skills.anomalies.check_day` on every day of the week, for every metric.
- Repeated feedback: items of the week that share a group, raised at least twice, ranked by how
  many customers raised them, then how often.
- Renewals: clients whose contract ends within [today, today + 30 days].
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal, Protocol

from skills.anomalies import AnomalyConfig, Direction, check_day
from skills.errors import Lang, SkillError, quoted
from skills.goals import GoalStatus
from skills.metrics_csv import (
    DEFAULT_METRICS,
    is_level_metric,
    metric_label,
)
from skills.transactions_csv import parse_date

Aggregation = Literal["sum", "mean"]
MONTH_BACK = timedelta(days=28)
RENEWAL_HORIZON_DAYS = 30
TOP_FEEDBACK = 5
TEXTS_PER_OWNER = 3
FEEDBACK_TEXT_CHARS = 200
ANOMALIES_IN_DRAFT = 3
RENEWALS_IN_DRAFT = 3
_ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


def aggregation(metric: str) -> Aggregation:
    """Whether a metric's week is its sum (things that happen) or its daily mean (a level)."""
    return "mean" if is_level_metric(metric) else "sum"


def week_start(day: date) -> date:
    """The Monday of the ISO week that contains `day`."""
    return day - timedelta(days=day.weekday())


def summary_week(today: date, week_of: date | None = None) -> date:
    """The Monday of the week to summarise: the week of `week_of`, else the last complete week."""
    if week_of is None:
        return week_start(today) - timedelta(days=7)
    start = week_start(week_of)
    if start > today:
        raise SkillError(
            f"The week of {week_of} has not started yet; pick a day up to {today}.",
            f"{week_of} 所在的周还没开始,请选择 {today} 及之前的日期。",
        )
    return start


def parse_week_of(text: str) -> date:
    """A day a person typed for `--week-of` / `/ops weekly 2026-11-18`, or an ISO week (2026-W47)."""
    cleaned = text.strip()
    try:
        if match := _ISO_WEEK.match(cleaned):
            return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
        return parse_date(cleaned)
    except ValueError:
        raise SkillError(
            f"{quoted(text)} is not a date; name any day of the week you want, e.g. 2026-11-18 (or 2026-W47).",
            f"{quoted(text)} 不是日期,请写出要看的那一周中的任意一天,例如 2026-11-18(或 2026-W47)。",
        ) from None


def change_pct(this: float | None, last: float | None) -> float | None:
    if this is None or last is None or last == 0:
        return None
    return round((this - last) / abs(last) * 100, 1)


def covered_days(start: date, today: date) -> int:
    """How many days of the week from Monday `start` are over by `today`: 7 for a past week."""
    return max(0, min(7, (today - start).days))


def aggregate(values: Mapping[date, float], start: date, how: Aggregation, days: int = 7) -> float | None:
    """The first `days` days from Monday `start`: the sum or the mean of those with a value; None
    without any."""
    found = [values[day] for offset in range(days) if (day := start + timedelta(days=offset)) in values]
    if not found:
        return None
    total = sum(found) if how == "sum" else sum(found) / len(found)
    return round(total, 6)


@dataclass(frozen=True)
class MetricWeek:
    metric: str
    aggregation: Aggregation
    this_week: float | None
    last_week: float | None
    same_week_last_month: float | None
    change_pct: float | None
    vs_last_month_pct: float | None

    def label(self, lang: Lang) -> str:
        return metric_label(self.metric, lang)


@dataclass(frozen=True)
class WeekAnomaly:
    metric: str
    day: date
    direction: Direction | None
    change_pct: float | None
    value: float | None
    baseline: float | None


@dataclass(frozen=True)
class FeedbackEntry:
    """One filed item of the week, as the store has it."""

    id: int
    text: str
    category: str
    customer: str | None = None
    group_id: int | None = None


@dataclass(frozen=True)
class RepeatedFeedback:
    text: str
    """The group's first item, whitespace collapsed and cut to FEEDBACK_TEXT_CHARS."""
    category: str
    items: int
    customers: int


@dataclass(frozen=True)
class WeekFeedback:
    total: int
    by_category: dict[str, int]
    """Most frequent first."""
    top: tuple[RepeatedFeedback, ...]


@dataclass(frozen=True)
class DoneTodo:
    owner: str
    text: str
    done_on: date


@dataclass(frozen=True)
class OwnerDone:
    owner: str
    count: int
    texts: tuple[str, ...]
    """The first few, oldest first."""


class ClientContract(Protocol):
    """What a renewal needs to know of a client (the client store's rows and roster records fit)."""

    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def arr(self) -> float | None: ...

    @property
    def contract_end(self) -> date | None: ...

    @property
    def owner(self) -> str: ...


@dataclass(frozen=True)
class RenewalDue:
    client_id: str
    name: str
    contract_end: date
    days: int
    """Days from the summary day to the contract's end (0: ends today)."""
    owner: str
    arr: float | None


@dataclass(frozen=True)
class AnswerQuality:
    """How opsbot's answers did in the week: questions answered or not, and people's votes."""

    answered: int
    unanswered: int
    helpful: int
    not_helpful: int


@dataclass(frozen=True)
class WeeklySummary:
    week_start: date
    today: date
    """The day the summary was made; renewals count from it."""
    metrics: tuple[MetricWeek, ...]
    anomalies: tuple[WeekAnomaly, ...]
    feedback: WeekFeedback
    todos_done: tuple[OwnerDone, ...]
    renewals: tuple[RenewalDue, ...]
    days: int = 7
    """The days of the week covered: fewer than 7 for the week still under way."""
    answers: AnswerQuality | None = None
    goals: tuple[GoalStatus, ...] = ()
    """Every open goal as of the last day covered, behind pace first."""

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)

    @property
    def partial(self) -> bool:
        return self.days < 7

    @property
    def last_day(self) -> date:
        """The last day the figures cover."""
        return self.week_start + timedelta(days=self.days - 1)

    @property
    def week_label(self) -> str:
        """ISO year and week, e.g. 2026-W47."""
        year, week, _ = self.week_start.isocalendar()
        return f"{year}-W{week:02d}"

    def as_json(self, draft: str, draft_method: str = "template") -> dict[str, Any]:
        return {
            "week": self.week_label,
            "week_start": self.week_start.isoformat(),
            "week_end": self.week_end.isoformat(),
            "days_covered": self.days,
            "metrics": [
                {
                    "metric": m.metric,
                    "aggregation": m.aggregation,
                    "this_week": m.this_week,
                    "last_week": m.last_week,
                    "change_pct": m.change_pct,
                    "same_week_last_month": m.same_week_last_month,
                    "vs_last_month_pct": m.vs_last_month_pct,
                }
                for m in self.metrics
            ],
            "anomalies": [
                {
                    "metric": a.metric,
                    "day": a.day.isoformat(),
                    "direction": a.direction,
                    "change_pct": a.change_pct,
                    "value": a.value,
                    "baseline": a.baseline,
                }
                for a in self.anomalies
            ],
            "feedback": {
                "total": self.feedback.total,
                "by_category": dict(self.feedback.by_category),
                "top": [
                    {"text": t.text, "category": t.category, "items": t.items, "customers": t.customers}
                    for t in self.feedback.top
                ],
            },
            "todos_done": [
                {"owner": o.owner, "count": o.count, "texts": list(o.texts)} for o in self.todos_done
            ],
            "renewals": [
                {
                    "client_id": r.client_id,
                    "name": r.name,
                    "contract_end": r.contract_end.isoformat(),
                    "days": r.days,
                    "owner": r.owner,
                    "arr": r.arr,
                }
                for r in self.renewals
            ],
            "answers": None
            if self.answers is None
            else {
                "answered": self.answers.answered,
                "unanswered": self.answers.unanswered,
                "helpful": self.answers.helpful,
                "not_helpful": self.answers.not_helpful,
            },
            "goals": [status.as_json() for status in self.goals],
            "draft": draft,
            "draft_method": draft_method,
        }


def _metric_order(names: Iterable[str]) -> list[str]:
    """The brief's six first, in their usual order, then the others alphabetically."""
    known = [name for name in DEFAULT_METRICS if name in names]
    return known + sorted(name for name in names if name not in DEFAULT_METRICS)


def metric_weeks(
    series: Mapping[str, Mapping[date, float]], start: date, days: int = 7
) -> tuple[MetricWeek, ...]:
    """Every metric with a value in this week, last week or the same week last month, each over
    the same first `days` weekdays."""
    lines = []
    for metric in _metric_order(series):
        values, how = series[metric], aggregation(metric)
        this = aggregate(values, start, how, days)
        last = aggregate(values, start - timedelta(days=7), how, days)
        month = aggregate(values, start - MONTH_BACK, how, days)
        if this is None and last is None and month is None:
            continue
        lines.append(
            MetricWeek(metric, how, this, last, month, change_pct(this, last), change_pct(this, month))
        )
    return tuple(lines)


def week_anomalies(
    series: Mapping[str, Mapping[date, float]],
    start: date,
    config: AnomalyConfig | None = None,
    holidays: Collection[date] = (),
) -> tuple[WeekAnomaly, ...]:
    """Abnormal days of the week, by day, then in the metrics' usual order."""
    found = []
    for offset in range(7):
        day = start + timedelta(days=offset)
        for metric in _metric_order(series):
            check = check_day(series[metric], day, config, holidays)
            if check.anomaly:
                found.append(
                    WeekAnomaly(metric, day, check.direction, check.change_pct, check.value, check.baseline)
                )
    return tuple(found)


def _clean(text: str) -> str:
    collapsed = " ".join(text.split())
    return collapsed if len(collapsed) <= FEEDBACK_TEXT_CHARS else collapsed[: FEEDBACK_TEXT_CHARS - 1] + "…"


def week_feedback(entries: Sequence[FeedbackEntry], limit: int = TOP_FEEDBACK) -> WeekFeedback:
    """Counts by category, and the groups raised at least twice in the week."""
    counts = Counter(entry.category for entry in entries)
    by_category = dict(sorted(counts.items(), key=lambda pair: (-pair[1], pair[0])))
    groups: dict[int, list[FeedbackEntry]] = {}
    for entry in entries:
        groups.setdefault(entry.group_id or entry.id, []).append(entry)
    repeated = []
    for group, members in groups.items():
        if len(members) < 2:
            continue
        first = min(members, key=lambda entry: entry.id)
        customers = {m.customer.strip().lower() for m in members if m.customer and m.customer.strip()}
        repeated.append(
            (group, RepeatedFeedback(_clean(first.text), first.category, len(members), len(customers)))
        )
    repeated.sort(key=lambda pair: (-pair[1].customers, -pair[1].items, pair[0]))
    return WeekFeedback(len(entries), by_category, tuple(item for _, item in repeated[:limit]))


def todos_by_owner(done: Sequence[DoneTodo], texts_shown: int = TEXTS_PER_OWNER) -> tuple[OwnerDone, ...]:
    """Who finished what: most done first."""
    per_owner: dict[str, list[DoneTodo]] = {}
    for todo in done:
        per_owner.setdefault(todo.owner, []).append(todo)
    owners = [
        OwnerDone(owner, len(todos), tuple(_clean(t.text) for t in todos[:texts_shown]))
        for owner, todos in per_owner.items()
    ]
    return tuple(sorted(owners, key=lambda o: (-o.count, o.owner)))


def upcoming_renewals(
    clients: Iterable[ClientContract], today: date, horizon_days: int = RENEWAL_HORIZON_DAYS
) -> tuple[RenewalDue, ...]:
    """Contracts that end within [today, today + horizon_days], soonest first."""
    due = [
        RenewalDue(c.id, c.name, c.contract_end, (c.contract_end - today).days, c.owner, c.arr)
        for c in clients
        if c.contract_end is not None and 0 <= (c.contract_end - today).days <= horizon_days
    ]
    return tuple(sorted(due, key=lambda r: (r.days, r.name, r.client_id)))


def build_weekly(
    today: date,
    week_of: date | None,
    series: Mapping[str, Mapping[date, float]],
    feedback: Sequence[FeedbackEntry],
    done: Sequence[DoneTodo],
    clients: Iterable[ClientContract],
    holidays: Collection[date] = (),
    config: AnomalyConfig | None = None,
    answers: AnswerQuality | None = None,
) -> WeeklySummary:
    """The summary of the week of `week_of` (else the last complete week). `feedback` and `done` are
    the week's own; the series reach back far enough for the anomaly baselines."""
    start = summary_week(today, week_of)
    days = covered_days(start, today)
    if days == 0:
        raise SkillError(
            f"The week of {week_of} starts today: no day of it is over yet. Ask for last week "
            "(without a date), or for this week from tomorrow.",
            f"{week_of} 所在的周今天才开始,还没有完整的一天。请查看上周(不带日期),或明天再看本周。",
        )
    end = start + timedelta(days=6)
    return WeeklySummary(
        start,
        today,
        metric_weeks(series, start, days),
        week_anomalies(series, start, config, holidays),
        week_feedback(feedback),
        todos_by_owner([t for t in done if start <= t.done_on <= end]),
        upcoming_renewals(clients, today),
        days,
        answers,
    )


# -- the draft ------------------------------------------------------------------------------------
