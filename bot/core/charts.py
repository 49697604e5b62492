"""Charts as PNG bytes (Pillow, with the Noto Sans CJK font shipped as a package, so Chinese labels
render the same on every machine): the drawing helpers every chart shares, segment bars for RFM,
tiers for `tier`. The funnel's chart lives with the funnel, in bot.reports.funnel_chart."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import noto_cjk_sans_otc
from PIL import Image, ImageDraw, ImageFont

from skills.errors import Lang
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


def png_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


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
    return png_bytes(image)


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
