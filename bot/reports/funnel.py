"""Funnel results as text: a fixed-width table for the terminal and Slack code blocks."""

from __future__ import annotations

import unicodedata
from typing import Any

from bot.slack.blocks import message, notice_message, section
from bot.slack.text import escape
from skills.errors import Lang, SkillError
from skills.funnel import FunnelResult, Stage, compute_funnel, split_what_if
from skills.units import format_grouped, format_wan

_HEADERS: dict[Lang, tuple[str, str, str, str]] = {
    "en": ("Stage", "Rate", "Value", "(万/亿)"),
    "zh": ("阶段", "转化率", "数量", "精确值"),
}


def amount(value: float, lang: Lang) -> tuple[str, str]:
    """(main, secondary): 万/亿 first for Chinese readers, thousands separators first for English."""
    return (
        (format_wan(value), format_grouped(value))
        if lang == "zh"
        else (format_grouped(value), format_wan(value))
    )


def width(text: str) -> int:
    """Columns a terminal gives `text`: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int, right: bool = False) -> str:
    space = " " * max(0, columns - width(text))
    return space + text if right else text + space


def price_label(price: float, lang: Lang) -> str:
    """A price step's name and price, as the table and the chart show it: `AOV 500`, `客单价 500`."""
    return f"{'客单价' if lang == 'zh' else 'AOV'} {price:,g}"


def step_label(stage: Stage, lang: Lang) -> str:
    """How a stage follows from the one before it: `÷ 5%`, or at a price step `÷ AOV 500` (`÷ 客单价 500`)."""
    sign = "÷" if stage.direction == "up" else "×"
    if stage.price is not None:
        return f"{sign} {price_label(stage.price, lang)}"
    if stage.rate is not None:
        return f"{sign} {stage.rate * 100:g}%"
    return ""


def _rows(stages: tuple[Stage, ...], lang: Lang) -> list[tuple[str, str, str, str]]:
    rows = []
    for stage in stages:
        rate = step_label(stage, lang)
        main, secondary = amount(stage.value, lang)
        rows.append((stage.name, rate, main, secondary))
        for part in stage.parts:
            part_main, part_secondary = amount(part.value, lang)
            rows.append((f"  └ {part.name} {part.share * 100:g}%", "", part_main, part_secondary))
    return rows


def table(stages: tuple[Stage, ...], lang: Lang) -> str:
    rows = [_HEADERS[lang], *_rows(stages, lang)]
    widths = [max(width(row[column]) for row in rows) for column in range(4)]
    lines = []
    for row in rows:
        cells = [
            pad(row[0], widths[0]),
            pad(row[1], widths[1]),
            pad(row[2], widths[2], right=True),
            row[3],
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def check_lines(result: FunnelResult, lang: Lang) -> list[str]:
    lines = []
    for check in result.checks:
        stated, expected = format_wan(check.stated), format_wan(check.expected)
        if check.ok:
            lines.append(f"✓ {check.stage}: {stated}" + (" 与推算一致" if lang == "zh" else " is consistent"))
        elif lang == "zh":
            lines.append(f"✗ {check.stage}:写的是 {stated},按「{check.basis}」推算应为 {expected}")
        else:
            lines.append(f"✗ {check.stage}: stated {stated}, but {check.basis} implies {expected}")
    return lines


def what_if_lines(result: FunnelResult, lang: Lang) -> list[str]:
    scenario = result.what_if
    if scenario is None:
        return []
    title = (
        f"假如 {scenario.old_rate * 100:g}% → {scenario.new_rate * 100:g}%:"
        if lang == "zh"
        else f"What if {scenario.old_rate * 100:g}% → {scenario.new_rate * 100:g}%:"
    )
    lines = [title]
    for stage, delta in zip(scenario.stages, scenario.deltas, strict=True):
        sign = "+" if delta > 0 else "−" if delta < 0 else "±"
        lines.append(f"  {stage.name}: {amount(stage.value, lang)[0]} ({sign}{amount(abs(delta), lang)[0]})")
    return lines


def render_text(result: FunnelResult, lang: Lang) -> str:
    """The whole result for a terminal."""
    parts = [table(result.stages, lang)]
    if checks := check_lines(result, lang):
        parts.append("\n".join(checks))
    if what_if := what_if_lines(result, lang):
        parts.append("\n".join(what_if))
    return "\n\n".join(parts)


def funnel_message(text: str, lang: Lang) -> tuple[dict[str, Any], FunnelResult | None]:
    """`/funnel` reply: the table (monospace), plan checks and what-if, with the result for the chart;
    or what is wrong, with an example (and no result)."""
    expression, change = split_what_if(text)
    try:
        result = compute_funnel(expression, change)
    except SkillError as error:
        return notice_message(f":warning: {escape(error.message(lang))}"), None
    blocks = [section(f"```{escape(table(result.stages, lang))}```")]
    if checks := check_lines(result, lang):
        blocks.append(section(escape("\n".join(checks))))
    if what_if := what_if_lines(result, lang):
        scenario = "\n".join(what_if)
        blocks.append(section(f"```{escape(scenario)}```"))
    return message(escape(render_text(result, lang)), blocks), result
