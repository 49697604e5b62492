"""The renewal brief's usage chart: one panel per metric, the last 90 days as a line, with the
30-day window shaded and the two windows' daily averages drawn as steps, so the comparison the brief
states can be seen at a glance."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image, ImageDraw

from bot.core.charts import BACKGROUND, INK, MARGIN, MUTED, PALETTE, WIDTH, fit, font
from skills.errors import Lang
from skills.renewal import RECENT_DAYS, TREND_DAYS, RenewalBrief

PANEL_HEIGHT = 170
MAX_PANELS = 6
_SHADE = (235, 242, 250)
_AVERAGE = (214, 96, 77)


def usage_chart(brief: RenewalBrief, lang: Lang) -> bytes | None:
    """PNG bytes, or None when the client has no usage data to draw."""
    lines = [line for line in brief.usage if line.daily][:MAX_PANELS]
    if not lines:
        return None
    heading = f"{brief.client.name} · {'近 90 天使用情况' if lang == 'zh' else 'usage, last 90 days'}"
    top = MARGIN + 40
    image = Image.new("RGB", (WIDTH, top + len(lines) * PANEL_HEIGHT + MARGIN), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.text((MARGIN, MARGIN), fit(heading, 22, WIDTH - 2 * MARGIN), font=font(22), fill=INK)
    first_day = brief.today - timedelta(days=TREND_DAYS)
    left, right = MARGIN, WIDTH - MARGIN
    span = right - left
    for number, line in enumerate(lines):
        y0 = top + number * PANEL_HEIGHT
        plot_top, plot_bottom = y0 + 30, y0 + PANEL_HEIGHT - 20
        change = "" if line.change_pct is None else f"  {line.change_pct:+.1f}%"
        draw.text((left, y0), fit(line.label(lang) + change, 17, span), font=font(17), fill=INK)
        recent_left = left + span * (TREND_DAYS - RECENT_DAYS) / TREND_DAYS
        draw.rectangle((recent_left, plot_top, right, plot_bottom), fill=_SHADE)
        values = [value for _, value in line.daily]
        low, high = min([*values, 0.0]), max(values)
        scale = (high - low) or 1.0

        def y(
            value: float,
            bottom: int = plot_bottom,
            height: int = plot_bottom - plot_top,
            low: float = low,
            scale: float = scale,
        ) -> float:
            return bottom - (value - low) / scale * height

        points = [(left + span * (day - first_day).days / TREND_DAYS, y(value)) for day, value in line.daily]
        if len(points) > 1:
            draw.line(points, fill=PALETTE[number % len(PALETTE)], width=3)
        else:
            x, point_y = points[0]
            draw.ellipse((x - 3, point_y - 3, x + 3, point_y + 3), fill=PALETTE[0])
        if line.earlier_avg is not None:
            draw.line(
                [(left, y(line.earlier_avg)), (recent_left, y(line.earlier_avg))], fill=_AVERAGE, width=2
            )
        if line.recent_avg is not None:
            draw.line(
                [(recent_left, y(line.recent_avg)), (right, y(line.recent_avg))], fill=_AVERAGE, width=2
            )
        draw.text((left, plot_bottom + 2), f"{high:,.0f} max", font=font(12), fill=MUTED)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
