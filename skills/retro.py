"""Retrospectives (复盘): review the goal, evaluate the result, analyse the causes, summarize the lessons.

A retro starts from the numbers when the person names a metric and a period: the period's total (or
average, for levels such as retention), the same-length period just before it, the change and the
highest and lowest day. The store holds no targets, so the goal step only frames the period and asks
for the target; causes and lessons are the team's own words and only get prompts.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from skills.errors import Lang, SkillError
from skills.metrics_csv import DEFAULT_METRICS, is_level_metric, metric_key, metric_label
from skills.transactions_csv import parse_date
from skills.units import format_grouped, format_wan

Step = Literal["goal", "result", "causes", "lessons"]
STEPS: tuple[Step, ...] = ("goal", "result", "causes", "lessons")
STEP_TITLES: dict[Step, dict[Lang, str]] = {
    "goal": {"en": "Review the goal", "zh": "回顾目标"},
    "result": {"en": "Evaluate the result", "zh": "评估结果"},
    "causes": {"en": "Analyse the causes", "zh": "分析原因"},
    "lessons": {"en": "Summarize the lessons", "zh": "总结规律"},
}
STEP_PROMPTS: dict[Step, dict[Lang, str]] = {
    "goal": {
        "en": "What did we set out to achieve, in numbers?",
        "zh": "当初想达成什么?用数字说明。",
    },
    "result": {
        "en": "What actually happened, compared with the goal?",
        "zh": "实际发生了什么?与目标相比如何?",
    },
    "causes": {
        "en": "What explains the gap or the success? Separate what we controlled from outside factors.",
        "zh": "差距或成功的原因是什么?区分可控因素和外部因素。",
    },
    "lessons": {
        "en": "What do we keep, what do we stop, and which rule do we take into the next campaign?",
        "zh": "哪些要继续、哪些要停止?带着哪条规律进入下一场活动?",
    },
}
"""Short prompts shown as placeholders; Slack limits a placeholder to 150 characters."""

MAX_STEP_CHARS = 2900
"""Leaves room for the heading within Slack's 3,000 characters per section."""
MAX_TITLE_CHARS = 150
"""Slack's limit for a header block."""
MAX_RANGE_DAYS = 366

_DATE = r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日|\d{8}"
_RANGE = re.compile(
    rf"(?P<start>{_DATE})(?:\s*(?:\.{{2,3}}|~|～|–|—|至|到)\s*|\s+to\s+)(?P<end>{_DATE})\s*$",
    re.IGNORECASE,
)
_ANY_DATE = re.compile(_DATE)


@dataclass(frozen=True)
class RetroArgs:
    """What `/ops retro` was given: nothing (a blank retro) or a metric name and a period."""

    metric: str = ""
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class DayValue:
    day: date
    value: float


@dataclass(frozen=True)
class RetroFigures:
    """The numbers a retro on `metric` over `start`..`end` starts from. `actual` and `previous` are
    totals, or averages when `level` (a level cannot be summed over days); None without values."""

    metric: str
    start: date
    end: date
    level: bool
    actual: float | None
    days_with_values: int
    previous_start: date
    previous_end: date
    previous: float | None
    change_pct: float | None
    highest: DayValue | None
    lowest: DayValue | None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class RetroDraft:
    """The modal's starting point: a title and the prefilled goal and result (None: not prefilled)."""

    title: str
    goal: str | None
    result: str | None


@dataclass(frozen=True)
class RetroText:
    """The four steps as the person wrote them, with the title."""

    title: str
    goal: str
    result: str
    causes: str
    lessons: str

    def step(self, step: Step) -> str:
        return str(getattr(self, step))


def usage_error() -> SkillError:
    return SkillError(
        "Use `/ops retro` for a blank retro, or `/ops retro METRIC FROM..TO` to start from the numbers, "
        "e.g. `/ops retro sales 2026-11-01..2026-11-15`.",
        "用法:`/ops 复盘` 打开空白复盘;`/ops 复盘 指标 开始..结束` 从数据开始,"
        "例如 `/ops 复盘 销售额 2026-11-01 至 2026-11-15`。",
    )


def parse_retro_args(text: str) -> RetroArgs:
    """`METRIC FROM..TO` (also `FROM to TO`, `FROM 至 TO`), or nothing; SkillError with the usage
    when only one of metric and period is given."""
    cleaned = " ".join(text.split())
    if not cleaned:
        return RetroArgs()
    match = _RANGE.search(cleaned)
    if match is None:
        raise usage_error()
    metric = cleaned[: match.start()].strip()
    if not metric or _ANY_DATE.search(metric):
        raise usage_error()
    start, end = parse_day(match["start"]), parse_day(match["end"])
    check_period(start, end)
    return RetroArgs(metric, start, end)


def parse_day(text: str) -> date:
    try:
        return parse_date(text)
    except ValueError:
        raise SkillError(
            f"{text} is not a date; write it like 2026-11-01.", f"{text} 不是有效日期,请写成 2026-11-01。"
        ) from None


def check_period(start: date, end: date) -> None:
    if end < start:
        raise SkillError(
            f"The period ends ({end}) before it starts ({start}).", f"结束日期 {end} 早于开始日期 {start}。"
        )
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise SkillError(
            f"A retro covers at most {MAX_RANGE_DAYS} days; split the period.",
            f"一次复盘最多覆盖 {MAX_RANGE_DAYS} 天,请拆分时间段。",
        )


def resolve_metric(name: str, stored: Collection[str]) -> str:
    """The metric's key (销售额 → sales; a stored metric by its own name, any case), or SkillError
    naming the closest known names."""
    key = metric_key(name)
    if key in DEFAULT_METRICS or key in stored:
        return key
    by_lower = {metric.lower(): metric for metric in stored}
    if name.strip().lower() in by_lower:
        return by_lower[name.strip().lower()]
    spellings: dict[str, str] = {}
    for metric, labels in DEFAULT_METRICS.items():
        for spelling in (metric, labels["en"], labels["zh"]):
            spellings.setdefault(spelling.lower(), spelling)
    for metric in stored:
        spellings.setdefault(metric.lower(), metric)
    close = difflib.get_close_matches(name.strip().lower(), list(spellings), n=3, cutoff=0.4)
    suggestions = ", ".join(spellings[spelling] for spelling in close)
    known = ", ".join(sorted({*DEFAULT_METRICS, *stored}))
    hint_en = f" Did you mean: {suggestions}?" if close else ""
    hint_zh = f"你是不是想找:{suggestions}?" if close else ""
    raise SkillError(
        f"There is no metric called “{name}”.{hint_en} Known metrics: {known}.",
        f"没有名为“{name}”的指标。{hint_zh}已有的指标:{known}。",
    )


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The same number of days, ending the day before `start`."""
    previous_end = start - timedelta(days=1)
    return previous_end - (end - start), previous_end


def retro_figures(metric: str, start: date, end: date, series: Mapping[date, float]) -> RetroFigures:
    """The period's figures from a daily series that covers it and the period before it."""
    check_period(start, end)
    level = is_level_metric(metric)
    previous_start, previous_end = previous_period(start, end)
    current = {day: value for day, value in series.items() if start <= day <= end}
    earlier = [value for day, value in series.items() if previous_start <= day <= previous_end]
    actual = _combine(list(current.values()), level)
    previous = _combine(earlier, level)
    change = None
    if actual is not None and previous:
        change = (actual - previous) / abs(previous) * 100
    ordered = sorted(current.items())
    highest = max(ordered, key=lambda item: item[1], default=None)
    lowest = min(ordered, key=lambda item: item[1], default=None)
    return RetroFigures(
        metric,
        start,
        end,
        level,
        actual,
        len(current),
        previous_start,
        previous_end,
        previous,
        change,
        DayValue(*highest) if highest else None,
        DayValue(*lowest) if lowest else None,
    )


def _combine(values: list[float], level: bool) -> float | None:
    if not values:
        return None
    return sum(values) / len(values) if level else sum(values)


def period_text(start: date, end: date, lang: Lang) -> str:
    return f"{start} 至 {end}" if lang == "zh" else f"{start}–{end}"


def retro_title(metric: str, start: date, end: date, lang: Lang) -> str:
    label = metric_label(metric, lang)
    if lang == "zh":
        return f"复盘:{label} {start}–{end}"
    return f"Retro: {label} {start}–{end}"


def retro_draft(figures: RetroFigures, lang: Lang) -> RetroDraft:
    """The title, the goal framed for the period (the person adds the target) and the result."""
    label = metric_label(figures.metric, lang)
    period = period_text(figures.start, figures.end, lang)
    if lang == "zh":
        goal = f"目标:{period} 的{label} — 在这里写目标数字"
    else:
        goal = f"Goal: {label} over {period} — write the target number here"
    return RetroDraft(
        retro_title(figures.metric, figures.start, figures.end, lang), goal, result_text(figures, lang)
    )


def format_value(value: float, lang: Lang) -> str:
    return format_wan(value) if lang == "zh" else format_grouped(value)


def result_text(figures: RetroFigures, lang: Lang) -> str:
    """The actual numbers and the comparison with the period before, as the result step's start."""
    label = metric_label(figures.metric, lang)
    period = period_text(figures.start, figures.end, lang)
    before = period_text(figures.previous_start, figures.previous_end, lang)
    if figures.actual is None:
        if lang == "zh":
            return f"{period} 没有{label}的数据 — 在这里写实际结果。"
        return f"No {label} values recorded for {period} — write the actual result here."
    value = format_value(figures.actual, lang)
    if lang == "zh":
        kind = "日均" if figures.level else "合计"
        lines = [f"实际:{period} {label}{kind} {value}({_coverage(figures, lang)})。"]
    else:
        kind = "average" if figures.level else "total"
        lines = [f"Actual: {label} {kind} {value} over {period} ({_coverage(figures, lang)})."]
    lines.append(_comparison(figures, before, lang))
    if figures.highest is not None and figures.lowest is not None:
        high, low = figures.highest, figures.lowest
        if lang == "zh":
            lines.append(
                f"最高的一天:{high.day}({format_value(high.value, lang)});"
                f"最低的一天:{low.day}({format_value(low.value, lang)})。"
            )
        else:
            lines.append(
                f"Highest day: {high.day} ({format_value(high.value, lang)}); "
                f"lowest day: {low.day} ({format_value(low.value, lang)})."
            )
    return "\n".join(lines)


def _coverage(figures: RetroFigures, lang: Lang) -> str:
    if figures.days_with_values == figures.days:
        return f"{figures.days} 天" if lang == "zh" else f"{figures.days} days"
    if lang == "zh":
        return f"{figures.days} 天中有 {figures.days_with_values} 天有数据"
    return f"values for {figures.days_with_values} of {figures.days} days"


def _comparison(figures: RetroFigures, before: str, lang: Lang) -> str:
    days = figures.days
    if figures.previous is None:
        if lang == "zh":
            return f"之前 {days} 天({before})没有数据可比较。"
        return f"No values for the {days} days before ({before}) to compare with."
    previous = format_value(figures.previous, lang)
    change = f"{figures.change_pct:+.1f}%" if figures.change_pct is not None else "—"
    if lang == "zh":
        return f"之前 {days} 天({before}):{previous},变化 {change}。"
    return f"The {days} days before ({before}): {previous}, change {change}."


def retro_problems(retro: RetroText) -> dict[str, SkillError]:
    """What keeps a retro from being saved, by field (title or step); empty when it can be saved."""
    problems: dict[str, SkillError] = {}
    if len(retro.title.strip()) > MAX_TITLE_CHARS:
        problems["title"] = SkillError(
            f"Keep the title within {MAX_TITLE_CHARS} characters ({len(retro.title.strip())} now).",
            f"标题请控制在 {MAX_TITLE_CHARS} 字以内(现在 {len(retro.title.strip())} 字)。",
        )
    for step in STEPS:
        text = retro.step(step).strip()
        titles = STEP_TITLES[step]
        if not text:
            problems[step] = SkillError(
                f"Write “{titles['en']}”: each of the four steps is needed.",
                f"请填写“{titles['zh']}”:四个步骤都需要。",
            )
        elif len(text) > MAX_STEP_CHARS:
            problems[step] = SkillError(
                f"Keep “{titles['en']}” within {MAX_STEP_CHARS:,} characters ({len(text):,} now); "
                "link to a document for the rest.",
                f"“{titles['zh']}”请控制在 {MAX_STEP_CHARS} 字以内(现在 {len(text)} 字),其余可附文档链接。",
            )
    return problems


def missing_steps(retro: RetroText) -> list[Step]:
    return [step for step in STEPS if not retro.step(step).strip()]


def default_title(day: date, lang: Lang) -> str:
    """The title of a retro saved without one."""
    return f"复盘 {day}" if lang == "zh" else f"Retro {day}"
