"""What the morning digest shows for one owner and day, read from the stores: shared by the
scheduler that sends it, `opsbot digest` and the demo."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.engine import Engine

from bot.digest.blocks import at_risk_line, raised_text
from bot.storage.feedback import FeedbackItem, FeedbackStore
from bot.storage.goals import GoalStore, goal_statuses
from bot.storage.health import clients_health, worsened
from bot.storage.metrics import MetricStore
from bot.storage.owners import OwnerStore, TodoStore
from skills.anomalies import HISTORY_DAYS
from skills.digest import Complaint, Digest, FeedbackSummary, build_digest
from skills.errors import Lang
from skills.goals import describe, goal_status
from skills.health import HealthConfig, load_health_config
from skills.metrics_csv import DEFAULT_METRICS, format_metric_value
from skills.schedule import local_day, parse_zone

COMPLAINTS_SHOWN = 3


def collect(
    engine: Engine,
    user: str,
    day: date | None,
    default_tz: str,
    feedback_since: datetime | None = None,
    holidays: frozenset[date] = frozenset(),
    health: HealthConfig | None = None,
) -> Digest:
    """Everything the digest shows for the owner's local `day` (today there if None). Feedback
    counts from `feedback_since` (the last digest), else from the start of the reviewed day. The
    health of the owner's clients is scored with `health` (the defaults if None) and recorded for
    the day, so the next digest tells what changed since."""
    owner = OwnerStore(engine).ensure(user, default_tz)
    zone = parse_zone(owner.tz)
    day = day or local_day(datetime.now(UTC), zone)
    todos = TodoStore(engine)
    listed = [*todos.open_items(user), *todos.done_on(user, day)]
    metrics = MetricStore(engine)
    reviewed = day - timedelta(days=1)
    keys = owner.metric_keys or watched_by_default(metrics.metrics())
    series = {
        key: values
        for key in keys
        if (values := metrics.series(key, reviewed - timedelta(days=HISTORY_DAYS), reviewed))
    }
    # The store keeps UTC: compare in UTC (a local midnight would be read as a UTC one).
    since = (feedback_since or datetime.combine(reviewed, time(0), tzinfo=zone)).astimezone(UTC)
    until = datetime.combine(day, time(0), tzinfo=zone) + timedelta(days=1)
    store = FeedbackStore(engine)
    items = [i for i in store.items(since=since) if _aware(i.filed_at) < until]
    summary = FeedbackSummary(len(items), dict(Counter(i.category for i in items)), _complaints(store, items))
    goals = GoalStore(engine)
    owned = [stored.goal for stored in goals.goals() if stored.goal.owner == user]
    ended = [goal for goal in goals.ended_without_retro(day) if goal.owner == user]
    digest = build_digest(
        user,
        day,
        [(t.id, t.text, t.added_on, t.done_on) for t in sorted(listed, key=lambda t: t.id)],
        series,
        summary,
        holidays=holidays,
        goals=goal_statuses(owned, metrics, reviewed),
        clients_at_risk=worsened(
            engine, day, clients_health(engine, day, health or load_health_config(None), user)
        ),
    )
    due = tuple(
        goal_status(goal, metrics.series(goal.metric, goal.start, goal.end, goal.client), goal.end)
        for goal in ended
    )
    return replace(digest, goals=tuple(s for s in digest.goals if s.goal not in ended), retros_due=due)


def watched_by_default(imported: list[str]) -> list[str]:
    """Every metric the team imported, the brief's six first in their usual order (an owner who
    chose metrics sees those instead); with nothing imported, the six, so the digest says so."""
    if not imported:
        return list(DEFAULT_METRICS)
    return [m for m in DEFAULT_METRICS if m in imported] + sorted(
        m for m in imported if m not in DEFAULT_METRICS
    )


def _complaints(store: FeedbackStore, items: list[FeedbackItem]) -> tuple[Complaint, ...]:
    """The newest complaint of each problem (items come newest first), with its group's counts."""
    shown: dict[int, Complaint] = {}
    for item in items:
        group = item.group_id or item.id
        if item.category != "complaint" or group in shown:
            continue
        filed = store.view(item, created=False)
        shown[group] = Complaint(" ".join(item.text.split())[:200], filed.group_size, filed.group_customers)
        if len(shown) == COMPLAINTS_SHOWN:
            break
    return tuple(shown.values())


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def render_text(digest: Digest, lang: Lang) -> str:
    """The digest for a terminal."""
    zh = lang == "zh"
    lines = [f"{'早上好' if zh else 'Good morning'} — {digest.day}"]
    lines.append("今天的待办:" if zh else "Today's to-dos:")
    if not digest.todos:
        lines.append("  (清单是空的:先写下今天的待办)" if zh else "  (empty: write today's list first)")
    for todo in digest.todos:
        mark = "x" if todo.done else " "
        carried = (" (延续)" if zh else " (carried over)") if todo.carried_over else ""
        lines.append(f"  [{mark}] #{todo.id} {todo.text}{carried}")
    lines.append(f"{'昨天的数据' if zh else 'Yesterday'} ({digest.reviewed_day}):")
    if not digest.metrics:
        lines.append(
            "  (没有数据:opsbot metrics import FILE.csv)"
            if zh
            else "  (no data: opsbot metrics import FILE.csv)"
        )
    for metric in digest.metrics:
        value = format_metric_value(metric.metric, metric.value)
        change = "" if metric.change_pct is None else f" {metric.change_pct:+.1f}%"
        flag = " ⚠" if metric.anomaly else ""
        lines.append(f"  {metric.label(lang)}: {value}{change} {metric.trend}{flag}")
        why = metric.why(lang)
        if why:
            lines.append(f"      {why}")
    feedback = digest.feedback
    if digest.goals:
        lines.append("目标:" if zh else "Goals:")
        lines.extend(f"  {describe(status, lang)}  {status.sparkline}".rstrip() for status in digest.goals)
    if digest.retros_due:
        lines.append("已结束的目标,写个复盘:" if zh else "Goals that ended, to write the retrospective of:")
        lines.extend(f"  {describe(status, lang)}" for status in digest.retros_due)
    if digest.clients_at_risk:
        lines.append("需要关注的客户:" if zh else "Clients to look at:")
        lines.extend(f"  {at_risk_line(change, lang)}" for change in digest.clients_at_risk)
    lines.append(f"{'新反馈' if zh else 'New feedback'}: {feedback.new}")
    for complaint in feedback.complaints:
        lines.append(f"  ! {complaint.text}{raised_text(complaint, lang)}")
    return "\n".join(lines)
