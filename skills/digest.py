"""The morning digest's content, following the playbook's daily routine: first today's to-dos, then
yesterday's numbers (anomalies first, each with why it matters), then recent complaints and feedback.

Pure: the caller passes the owner's local day, their to-dos, the metric series and the feedback
counts; rendering (Slack, console, JSON) is elsewhere.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from skills.anomalies import AnomalyConfig, check_day
from skills.errors import Lang
from skills.goals import GoalStatus, behind_first
from skills.health import StatusChange
from skills.metrics_csv import metric_label
from skills.sparklines import sparkline

TREND_DAYS = 14

WHY_IT_MATTERS: dict[str, dict[Lang, str]] = {
    "sales": {
        "en": "Sales carry the annual target: decompose the gap through the funnel (traffic × conversion) "
        "before the week is lost.",
        "zh": "销售额承载全年目标:按漏斗(流量 × 转化)拆解差距,别等到周末。",
    },
    "customers": {
        "en": "The customer count is the funnel's middle: check acquisition and churn before blaming conversion.",
        "zh": "客户量是漏斗的中段:先查拉新和流失,再看转化。",
    },
    "new_customers": {
        "en": "Acquisition feeds every later stage: check channels, ad spend and landing pages first.",
        "zh": "拉新决定后续所有环节:先查渠道、投放和落地页。",
    },
    "retention": {
        "en": "Retention is renewal's early warning: look at which segment is leaving and why.",
        "zh": "留存是续约的预警:看哪一类客户在流失、为什么。",
    },
    "active_users": {
        "en": "Activity shows whether customers get value: a drop precedes churn and failed renewals.",
        "zh": "活跃说明客户是否用出价值:活跃下降往往先于流失和续约失败。",
    },
    "campaign_participants": {
        "en": "A campaign without monitored participation should not run: compare with the plan and fix the "
        "weakest step now.",
        "zh": "没有数据监控的活动宁可不上:对照计划,立刻修正最弱的环节。",
    },
}
_GENERIC_WHY: dict[Lang, str] = {
    "en": "Unusual for this weekday: start the analysis flow before today's to-dos.",
    "zh": "与往常同一天相比异常:先启动分析流程,再做今天的待办。",
}


@dataclass(frozen=True)
class DigestTodo:
    id: int
    text: str
    done: bool
    carried_over: bool
    """Written on an earlier day and still open."""


@dataclass(frozen=True)
class MetricLine:
    metric: str
    value: float | None
    baseline: float | None
    change_pct: float | None
    anomaly: bool
    direction: str | None
    trend: str
    """A sparkline of the last TREND_DAYS days (a gap where a day has no value)."""

    def why(self, lang: Lang) -> str | None:
        if not self.anomaly:
            return None
        return WHY_IT_MATTERS.get(self.metric, _GENERIC_WHY)[lang]

    def label(self, lang: Lang) -> str:
        return metric_label(self.metric, lang)


@dataclass(frozen=True)
class Complaint:
    """A complaint of the period, with how often its problem was raised and by how many customers
    (its whole feedback group: one complaint is an incident, a repeated one a signal)."""

    text: str
    times: int = 1
    customers: int = 0


@dataclass(frozen=True)
class FeedbackSummary:
    new: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    complaints: tuple[Complaint, ...] = ()
    """The newest complaints (a few), one per problem."""


@dataclass(frozen=True)
class Digest:
    owner: str
    day: date
    """The owner's local day the digest is for; the numbers are of the day before."""
    todos: tuple[DigestTodo, ...]
    metrics: tuple[MetricLine, ...]
    feedback: FeedbackSummary
    reviewed_holiday: bool = False
    """The day reviewed was a team holiday: its numbers are shown, not judged."""
    goals: tuple[GoalStatus, ...] = ()
    """The owner's open goals as of the day reviewed, behind pace first."""
    clients_at_risk: tuple[StatusChange, ...] = ()
    """The owner's clients that are red or whose health worsened since it was last recorded."""
    retros_due: tuple[GoalStatus, ...] = ()
    """The owner's goals whose period ended, as they ended, whose retrospective was not asked for yet."""

    @property
    def reviewed_day(self) -> date:
        return self.day - timedelta(days=1)

    @property
    def anomalies(self) -> tuple[MetricLine, ...]:
        return tuple(line for line in self.metrics if line.anomaly)

    def as_json(self) -> dict[str, object]:
        return {
            "owner": self.owner,
            "date": self.day.isoformat(),
            "reviewed_holiday": self.reviewed_holiday,
            "todos": [{"id": t.id, "text": t.text, "done": t.done} for t in self.todos],
            "metrics": [
                {
                    "metric": m.metric,
                    "value": m.value,
                    "baseline": m.baseline,
                    "change_pct": m.change_pct,
                    "anomaly": m.anomaly,
                    "direction": m.direction,
                }
                for m in self.metrics
            ],
            "feedback": {
                "new": self.feedback.new,
                "by_category": dict(self.feedback.by_category),
                "complaints": [
                    {"text": c.text, "times": c.times, "customers": c.customers}
                    for c in self.feedback.complaints
                ],
            },
            "goals": [status.as_json() for status in self.goals],
            "clients_at_risk": [change.as_json() for change in self.clients_at_risk],
            "retros_due": [status.as_json() for status in self.retros_due],
        }


def build_digest(
    owner: str,
    day: date,
    todos: Sequence[tuple[int, str, date, date | None]],
    series: Mapping[str, Mapping[date, float]],
    feedback: FeedbackSummary,
    config: AnomalyConfig | None = None,
    holidays: Collection[date] = (),
    goals: Sequence[GoalStatus] = (),
    clients_at_risk: Sequence[StatusChange] = (),
) -> Digest:
    """`todos` are (id, text, added_on, done_on); `series` maps each watched metric to its values.
    Metrics with an anomaly come first, biggest change first; the rest keep the given order."""
    reviewed = day - timedelta(days=1)
    digest_todos = tuple(
        DigestTodo(todo_id, text, done_on is not None, done_on is None and added_on < day)
        for todo_id, text, added_on, done_on in todos
    )
    lines = []
    for metric, values in series.items():
        check = check_day(values, reviewed, config, holidays)
        recent = [values.get(reviewed - timedelta(days=back)) for back in range(TREND_DAYS - 1, -1, -1)]
        lines.append(
            MetricLine(
                metric,
                check.value,
                check.baseline,
                check.change_pct,
                check.anomaly,
                check.direction,
                sparkline(recent),
            )
        )
    ordered = sorted(
        lines, key=lambda line: (not line.anomaly, -abs(line.change_pct or 0) if line.anomaly else 0)
    )
    return Digest(
        owner,
        day,
        digest_todos,
        tuple(ordered),
        feedback,
        reviewed in holidays,
        behind_first(goals),
        tuple(clients_at_risk),
    )
