"""The weekly summary's draft narrative, written from a WeeklySummary's numbers alone: templates in
English or Chinese, one sentence per part (metrics, anomalies, feedback, to-dos, renewals) and the
next steps. `draft_facts` lists every number the draft may cite, so a rewritten draft (by an LLM)
can be checked against them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from skills.errors import Lang
from skills.feedback_categories import CATEGORY_INFO
from skills.metrics_csv import format_metric_value, is_rate_metric, metric_label
from skills.weekly import (
    ANOMALIES_IN_DRAFT,
    RENEWAL_HORIZON_DAYS,
    RENEWALS_IN_DRAFT,
    MetricWeek,
    OwnerDone,
    RenewalDue,
    WeekAnomaly,
    WeekFeedback,
    WeeklySummary,
)


def number(value: float) -> str:
    """12,345 or 0.42: no trailing zeros, at most two decimals."""
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def metric_number(metric: str, value: float) -> str:
    """A metric's figure: a rate as a percentage (retention 0.43 → 43.0%), else `number`."""
    return format_metric_value(metric, value) if is_rate_metric(metric) else number(value)


def percent(value: float) -> str:
    return f"{value:+.1f}%"


def day_text(day: date, lang: Lang) -> str:
    return f"{day.month}月{day.day}日" if lang == "zh" else f"{day:%a %b} {day.day}"


def category_label(category: str, lang: Lang) -> str:
    info = CATEGORY_INFO.get(category)  # type: ignore[call-overload]
    return info.label[lang] if info is not None else category


_DRAFT: dict[str, dict[Lang, str]] = {
    "heading": {
        "en": "Week {week} of {year} ({first} – {last}).",
        "zh": "{year} 年第 {week} 周({first}–{last})。",
    },
    "so_far": {
        "en": "So far: {first} – {last} ({counted}), against the same days of last week and four weeks earlier.",
        "zh": "截至目前:{first}–{last}(共 {days} 天),与上周及四周前的相同几天对比。",
    },
    "sum": {"en": "{label} came to {value}", "zh": "{label}合计 {value}"},
    "mean": {"en": "{label} averaged {value} a day", "zh": "{label}日均 {value}"},
    "no_this": {"en": "{label}: no figure this week", "zh": "{label}本周无数据"},
    "vs_last": {"en": ", {change} on last week ({last})", "zh": ",较上周({last}){change}"},
    "last_zero": {"en": ", against 0 last week", "zh": ",上周为 0"},
    "no_last": {"en": ", no figure for last week", "zh": ",上周无数据"},
    "vs_month": {"en": ", {change} on four weeks earlier", "zh": ",较四周前{change}"},
    "no_metrics": {
        "en": "No numbers for this week yet (opsbot metrics import FILE.csv).",
        "zh": "本周还没有数据(opsbot metrics import FILE.csv)。",
    },
    "no_anomalies": {"en": "No day stood out as abnormal.", "zh": "本周没有异常的日子。"},
    "anomalies": {"en": "{counted}: {items}{more}.", "zh": "{count} 处异常:{items}{more}。"},
    "anomaly": {
        "en": "{label} {direction} on {day} ({change} vs usual)",
        "zh": "{day}{label}{direction}(较往常{change})",
    },
    "more": {"en": " and {count} more", "zh": "等,另有 {count} 项"},
    "up": {"en": "up", "zh": "偏高"},
    "down": {"en": "down", "zh": "偏低"},
    "no_feedback": {"en": "No feedback was filed.", "zh": "本周没有登记反馈。"},
    "feedback": {"en": "{counted} ({categories}).", "zh": "登记反馈 {count} 条:{categories}。"},
    "category": {"en": "{label} {count}", "zh": "{label} {count} 条"},
    "repeated": {"en": " Most repeated: “{text}” ({raised}).", "zh": "最常见:“{text}”({raised})。"},
    "raised": {"en": "{counted}", "zh": "{count} 次"},
    "raised_by": {"en": "{counted}, {customers}", "zh": "{count} 次,{customers_count} 个客户"},
    "no_todos": {"en": "No to-dos were marked done.", "zh": "本周没有完成的待办。"},
    "todos": {"en": "{counted} done by {people}.", "zh": "{people_count} 人共完成待办 {count} 条。"},
    "no_renewals": {"en": "No contracts end in the next 30 days.", "zh": "未来 30 天没有到期的合同。"},
    "renewals": {
        "en": "{counted} in the next 30 days: {items}{more}.",
        "zh": "未来 30 天有 {count} 份合同到期:{items}{more}。",
    },
    "renewal": {"en": "{name} in {days} days{arr}", "zh": "{name}({days} 天后{arr})"},
    "renewal_today": {"en": "{name} today{arr}", "zh": "{name}(今天{arr})"},
    "arr": {"en": " (ARR {arr})", "zh": ",ARR {arr}"},
    "next": {"en": "Next: {steps}.", "zh": "下一步:{steps}。"},
    "step_anomalies": {"en": "analyse the abnormal days first", "zh": "先分析异常的日子"},
    "step_complaints": {"en": "answer this week's complaints", "zh": "回复本周客诉"},
    "step_repeated": {"en": "take the repeated feedback to product", "zh": "把重复出现的反馈交给产品"},
    "step_renewals": {
        "en": "agree a plan for each contract ending soon",
        "zh": "为即将到期的合同逐个确定续约计划",
    },
    "step_steady": {"en": "keep the routine; nothing needs escalating", "zh": "保持节奏,没有需要升级的事项"},
}
_NOUNS = {
    "anomaly": ("abnormal day", "abnormal days"),
    "feedback": ("feedback item", "feedback items"),
    "time": ("time", "times"),
    "customer": ("customer", "customers"),
    "todo": ("to-do", "to-dos"),
    "person": ("person", "people"),
    "day": ("day", "days"),
    "contract": ("contract ends", "contracts end"),
}
_SEPARATOR: dict[Lang, str] = {"en": "; ", "zh": ";"}
_LIST: dict[Lang, str] = {"en": ", ", "zh": "、"}
_STOP: dict[Lang, str] = {"en": ".", "zh": "。"}


def _say(key: str, lang: Lang, **values: Any) -> str:
    return _DRAFT[key][lang].format(**values)


def _counted(count: int, noun: str) -> str:
    """English counts with their noun: 1 contract ends, 2 contracts end."""
    one, many = _NOUNS[noun]
    return f"{count} {one if count == 1 else many}"


def _metric_sentence(line: MetricWeek, lang: Lang) -> str | None:
    label = line.label(lang)
    if line.this_week is None:
        return _say("no_this", lang, label=label) if line.last_week is not None else None
    text = _say(line.aggregation, lang, label=label, value=metric_number(line.metric, line.this_week))
    if line.change_pct is not None and line.last_week is not None:
        last = metric_number(line.metric, line.last_week)
        text += _say("vs_last", lang, change=percent(line.change_pct), last=last)
    elif line.last_week == 0:
        text += _say("last_zero", lang)
    else:
        text += _say("no_last", lang)
    if line.vs_last_month_pct is not None:
        text += _say("vs_month", lang, change=percent(line.vs_last_month_pct))
    return text


def _anomaly_sentence(anomalies: Sequence[WeekAnomaly], lang: Lang) -> str:
    if not anomalies:
        return _say("no_anomalies", lang)
    biggest = sorted(anomalies, key=lambda a: -abs(a.change_pct or 0))[:ANOMALIES_IN_DRAFT]
    items = _LIST[lang].join(
        _say(
            "anomaly",
            lang,
            label=metric_label(a.metric, lang),
            direction=_say(a.direction or "up", lang),
            day=day_text(a.day, lang),
            change=percent(a.change_pct) if a.change_pct is not None else "?",
        )
        for a in biggest
    )
    rest = len(anomalies) - len(biggest)
    more = _say("more", lang, count=rest) if rest else ""
    count = len(anomalies)
    return _say("anomalies", lang, count=count, counted=_counted(count, "anomaly"), items=items, more=more)


def _feedback_sentence(feedback: WeekFeedback, lang: Lang) -> str:
    if not feedback.total:
        return _say("no_feedback", lang)
    categories = _LIST[lang].join(
        _say("category", lang, count=count, label=category_label(category, lang))
        for category, count in feedback.by_category.items()
    )
    total = feedback.total
    text = _say("feedback", lang, count=total, counted=_counted(total, "feedback"), categories=categories)
    if feedback.top:
        top = feedback.top[0]
        raised = _say(
            "raised_by" if top.customers else "raised",
            lang,
            count=top.items,
            counted=_counted(top.items, "time"),
            customers=_counted(top.customers, "customer"),
            customers_count=top.customers,
        )
        text += _say("repeated", lang, text=top.text, raised=raised)
    return text


def _todo_sentence(done: Sequence[OwnerDone], lang: Lang) -> str:
    if not done:
        return _say("no_todos", lang)
    count, people = sum(o.count for o in done), len(done)
    return _say(
        "todos",
        lang,
        count=count,
        counted=_counted(count, "todo"),
        people=_counted(people, "person"),
        people_count=people,
    )


def _renewal_sentence(renewals: Sequence[RenewalDue], lang: Lang) -> str:
    if not renewals:
        return _say("no_renewals", lang)
    shown = renewals[:RENEWALS_IN_DRAFT]
    items = _LIST[lang].join(
        _say(
            "renewal" if r.days else "renewal_today",
            lang,
            name=r.name or r.client_id,
            days=r.days,
            arr=_say("arr", lang, arr=number(r.arr)) if r.arr is not None else "",
        )
        for r in shown
    )
    rest = len(renewals) - len(shown)
    more = _say("more", lang, count=rest) if rest else ""
    count = len(renewals)
    return _say("renewals", lang, count=count, counted=_counted(count, "contract"), items=items, more=more)


def _next_steps(summary: WeeklySummary, lang: Lang) -> str:
    steps = []
    if summary.anomalies:
        steps.append(_say("step_anomalies", lang))
    if summary.feedback.by_category.get("complaint"):
        steps.append(_say("step_complaints", lang))
    if summary.feedback.top:
        steps.append(_say("step_repeated", lang))
    if summary.renewals:
        steps.append(_say("step_renewals", lang))
    return _say("next", lang, steps=_LIST[lang].join(steps or [_say("step_steady", lang)]))


def draft_text(summary: WeeklySummary, lang: Lang) -> str:
    """The narrative without a model: a heading, one line per part, and what to do next."""
    year, week, _ = summary.week_start.isocalendar()
    heading = _say(
        "heading",
        lang,
        year=year,
        week=week,
        first=day_text(summary.week_start, lang),
        last=day_text(summary.week_end, lang),
    )
    if summary.partial:
        first, last = day_text(summary.week_start, lang), day_text(summary.last_day, lang)
        covered = _counted(summary.days, "day")
        heading += "\n" + _say("so_far", lang, first=first, last=last, days=summary.days, counted=covered)
    metrics = [s for line in summary.metrics if (s := _metric_sentence(line, lang))]
    return "\n".join(
        [
            heading,
            _SEPARATOR[lang].join(metrics) + _STOP[lang] if metrics else _say("no_metrics", lang),
            _anomaly_sentence(summary.anomalies, lang),
            _feedback_sentence(summary.feedback, lang),
            _todo_sentence(summary.todos_done, lang),
            _renewal_sentence(summary.renewals, lang),
            _next_steps(summary, lang),
        ]
    )


def draft_facts(summary: WeeklySummary) -> dict[str, Any]:
    """Every number the narrative may cite, for a model to write from and for checking its text."""
    return {
        "week": summary.week_label,
        "year": summary.week_start.isocalendar()[0],
        "week_number": summary.week_start.isocalendar()[1],
        "week_start": summary.week_start.isoformat(),
        "week_end": summary.week_end.isoformat(),
        "days_covered": summary.days,
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
            for m in summary.metrics
        ],
        "anomalies": [
            {
                "metric": a.metric,
                "day": a.day.isoformat(),
                "direction": a.direction,
                "change_pct": a.change_pct,
            }
            for a in summary.anomalies
        ],
        "anomaly_count": len(summary.anomalies),
        "feedback_total": summary.feedback.total,
        "feedback_by_category": dict(summary.feedback.by_category),
        "repeated_feedback": [
            {"text": t.text, "items": t.items, "customers": t.customers} for t in summary.feedback.top
        ],
        "todos_done": sum(o.count for o in summary.todos_done),
        "todo_owners": len(summary.todos_done),
        "renewal_count": len(summary.renewals),
        "renewals": [
            {
                "name": r.name or r.client_id,
                "days": r.days,
                "arr": r.arr,
                "contract_end": r.contract_end.isoformat(),
            }
            for r in summary.renewals
        ],
        "renewal_horizon_days": RENEWAL_HORIZON_DAYS,
    }
