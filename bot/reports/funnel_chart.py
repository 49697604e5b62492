"""The funnel's chart, and `/funnel` sharing it after the table is on screen (rendering and uploading
take a moment)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PIL import Image, ImageDraw
from slack_sdk import WebClient

from bot.core.charts import (
    BACKGROUND,
    INK,
    LABEL_WIDTH,
    MARGIN,
    MUTED,
    PALETTE,
    VALUE_WIDTH,
    WIDTH,
    fit,
    font,
    png_bytes,
)
from bot.core.messages import say
from bot.reports.funnel import amount, price_label
from bot.slack.blocks import notice_message
from bot.slack.files import Upload, share_files
from bot.slack.text import escape, truncate
from skills.errors import Lang
from skills.funnel import FunnelResult, Stage

CHART_TITLE_LIMIT = 200


def share_funnel_chart(
    client: WebClient,
    respond: Callable[..., Any],
    channel: str,
    result: FunnelResult,
    expression: str,
    lang: Lang,
) -> None:
    """Share the chart in the channel; if Slack refuses (bot not invited), say so to the user only."""
    title = truncate(expression, CHART_TITLE_LIMIT)
    png = funnel_chart(result, lang, title)
    label = "漏斗" if lang == "zh" else "Funnel"
    error = share_files(
        client, channel, [Upload("funnel.png", png, f"{label}: {title}")], escape(f"{label}: {title}")
    )
    if error is not None:
        respond(response_type="ephemeral", **notice_message(say("files_not_shared", lang, error=error)))


def _comparable_values(stages: Sequence[Stage]) -> list[float]:
    """Bar lengths in one unit: money on the far side of a price step is counted in orders (its value
    divided or multiplied by the price), so 500万 of revenue does not dwarf 1万 buyers."""
    values = [stage.value for stage in stages]
    for index in range(len(stages) - 1, 0, -1):
        step = stages[index]
        if step.price is None:
            continue
        factor = step.price if step.direction == "up" else 1 / step.price
        for earlier in range(index):
            values[earlier] /= factor
    return values


def funnel_chart(result: FunnelResult, lang: Lang, title: str = "") -> bytes:
    """Widest stage on top, bar widths proportional to the values, the conversion rate between bars."""
    stages = list(result.stages)
    if stages[0].value < stages[-1].value:
        stages.reverse()
    row, gap = 58, 30
    top = MARGIN + (44 if title else 0)
    height = top + len(stages) * row + (len(stages) - 1) * gap + MARGIN
    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    if title:
        draw.text((MARGIN, MARGIN), fit(title, 24, WIDTH - 2 * MARGIN), font=font(24), fill=INK)
    bar_left, bar_right = MARGIN + LABEL_WIDTH, WIDTH - MARGIN - VALUE_WIDTH
    span, centre = bar_right - bar_left, (bar_left + bar_right) / 2
    comparable = _comparable_values(stages)
    largest = max(comparable) or 1.0
    y = top
    for position, stage in enumerate(stages):
        width = max(span * comparable[position] / largest, 6)
        left = centre - width / 2
        colour = PALETTE[position % len(PALETTE)]
        parts = stage.parts or ()
        if parts:
            x = left
            for part_index, part in enumerate(parts):
                part_width = width * part.share
                shade = _lighten(colour, 0.35 * part_index)
                draw.rectangle((x, y, x + part_width, y + row), fill=shade)
                label = f"{part.name} {part.share * 100:g}%"
                if font(15).getlength(label) + 10 < part_width:
                    draw.text((x + 6, y + row / 2), label, font=font(15), fill=(255, 255, 255), anchor="lm")
                x += part_width
        else:
            draw.rectangle((left, y, left + width, y + row), fill=colour)
        draw.text(
            (MARGIN, y + row / 2), fit(stage.name, 20, LABEL_WIDTH - 12), font=font(20), fill=INK, anchor="lm"
        )
        main, secondary = amount(stage.value, lang)
        draw.text((WIDTH - MARGIN, y + row / 2 - 11), main, font=font(20), fill=INK, anchor="rm")
        draw.text((WIDTH - MARGIN, y + row / 2 + 13), secondary, font=font(14), fill=MUTED, anchor="rm")
        if position + 1 < len(stages):
            below = stages[position + 1]
            if below.price is not None:  # money and a count: the step is the price, not a share
                step = price_label(below.price, lang)
            else:  # the stated rate: up the funnel the ratio of the bars is its inverse
                rate = (below.rate or 0.0) * 100
                step = f"{'转化' if lang == 'zh' else 'converts'} {rate:.3g}%"
            draw.text((centre, y + row + gap / 2), f"↓ {step}", font=font(15), fill=MUTED, anchor="mm")
        y += row + gap
    return png_bytes(image)


def _lighten(colour: tuple[int, int, int], towards_white: float) -> tuple[int, int, int]:
    r, g, b = colour
    return (
        round(r + (255 - r) * towards_white),
        round(g + (255 - g) * towards_white),
        round(b + (255 - b) * towards_white),
    )
