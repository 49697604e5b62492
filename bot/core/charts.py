"""Charts as PNG bytes (Pillow, with the Noto Sans CJK font shipped as a package, so Chinese labels
render the same on every machine): a funnel for `/funnel`, segment bars for RFM, tiers for `tier`."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import noto_cjk_sans_otc
from PIL import Image, ImageDraw, ImageFont

from bot.reports.funnel import amount, price_label
from skills.errors import Lang
from skills.funnel import FunnelResult, Stage
from skills.rfm import SEGMENTS, SEGMENTS8, RFMResult
from skills.tiers import TIER_LABELS, TierResult
from skills.wording import counted

WIDTH = 1000
MARGIN = 28
LABEL_WIDTH = 230
VALUE_WIDTH = 190
BACKGROUND = (255, 255, 255)
INK = (33, 37, 41)
MUTED = (108, 117, 125)
PALETTE = ((31, 119, 180), (44, 160, 160), (86, 180, 233), (0, 114, 178), (102, 194, 165), (70, 130, 180))
_SIMPLIFIED_CHINESE_FACE = 2
"""Face index of Noto Sans CJK SC in the collection (0 is JP, whose glyph shapes differ)."""


@cache
def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(noto_cjk_sans_otc.FONT_PATH), size, index=_SIMPLIFIED_CHINESE_FACE)


def fit(text: str, size: int, width: float) -> str:
    """`text`, cut with … so it fits in `width` pixels: user-supplied names can be any length."""
    face = font(size)
    if face.getlength(text) <= width:
        return text
    while text and face.getlength(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


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
    return _png(image)


def _lighten(colour: tuple[int, int, int], towards_white: float) -> tuple[int, int, int]:
    r, g, b = colour
    return (
        round(r + (255 - r) * towards_white),
        round(g + (255 - g) * towards_white),
        round(b + (255 - b) * towards_white),
    )


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    share: float


def _panels_height(panels: Sequence[tuple[str, Sequence[Bar]]], row: int) -> int:
    return MARGIN * 2 + sum(40 + len(bars) * row + 16 for _, bars in panels)


def bar_chart(panels: Sequence[tuple[str, Sequence[Bar]]], heading: str = "") -> bytes:
    """Horizontal bars in titled panels, each bar labelled with its count and share."""
    row = 32
    extra = 40 if heading else 0
    image = Image.new("RGB", (WIDTH, _panels_height(panels, row) + extra), BACKGROUND)
    draw = ImageDraw.Draw(image)
    y = MARGIN
    if heading:
        draw.text((MARGIN, y), fit(heading, 22, WIDTH - 2 * MARGIN), font=font(22), fill=INK)
        y += extra
    bar_left, bar_right = MARGIN + LABEL_WIDTH, WIDTH - MARGIN - VALUE_WIDTH
    for panel_index, (title, bars) in enumerate(panels):
        draw.text((MARGIN, y), title, font=font(20), fill=INK)
        y += 40
        largest = max((bar.count for bar in bars), default=0) or 1
        colour = PALETTE[panel_index % len(PALETTE)]
        for bar in bars:
            middle = y + row / 2
            draw.text(
                (MARGIN, middle), fit(bar.label, 17, LABEL_WIDTH - 12), font=font(17), fill=INK, anchor="lm"
            )
            width = (bar_right - bar_left) * bar.count / largest
            if bar.count:
                draw.rectangle((bar_left, y + 5, bar_left + max(width, 2), y + row - 5), fill=colour)
            label = f"{bar.count:,}  {bar.share * 100:.1f}%"
            draw.text((bar_left + width + 8, middle), label, font=font(16), fill=MUTED, anchor="lm")
            y += row
        y += 16
    return _png(image)


def rfm_chart(result: RFMResult, lang: Lang) -> bytes:
    total = len(result.customers) or 1

    def bars(counts: dict[str, int], table: dict) -> list[Bar]:  # type: ignore[type-arg]
        return [
            Bar(table[key].zh if lang == "zh" else table[key].en, count, count / total)
            for key, count in counts.items()
        ]

    titles = (
        ("八类客户(均值划分)", "RFM 评分分群(R×F)")
        if lang == "zh"
        else ("8 segments (mean split)", "RFM score segments (R×F)")
    )
    heading = (
        f"{len(result.customers):,} 位客户 · 截至 {result.as_of.isoformat()}"
        if lang == "zh"
        else f"{counted(len(result.customers), 'customer')} · as of {result.as_of.isoformat()}"
    )
    return bar_chart(
        [(titles[0], bars(result.counts8(), SEGMENTS8)), (titles[1], bars(result.counts(), SEGMENTS))],
        heading,
    )


def tier_chart(result: TierResult, lang: Lang) -> bytes:
    total = len(result.clients) or 1
    language = 0 if lang == "zh" else 1
    bars = [Bar(TIER_LABELS[tier][language], count, count / total) for tier, count in result.counts().items()]
    title = "客户分层" if lang == "zh" else "Client tiers"
    return bar_chart([(title, bars)])
