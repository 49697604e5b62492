"""A client's health score over time: one line from 0 to 100 over the status bands, so a slide
from green towards red shows at a glance."""

from __future__ import annotations

import io
from datetime import date

from PIL import Image, ImageDraw

from bot.core.charts import BACKGROUND, INK, MARGIN, MUTED, PALETTE, WIDTH, fit, font
from skills.errors import Lang
from skills.health import HealthConfig

HEIGHT = 360
_BANDS = {"green": (226, 244, 230), "yellow": (252, 243, 214), "red": (250, 225, 225)}


def health_chart(
    name: str, history: list[tuple[date, int]], config: HealthConfig, lang: Lang
) -> bytes | None:
    """PNG bytes, or None with fewer than two days recorded (nothing to draw a line through)."""
    if len(history) < 2:
        return None
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    heading = f"{name} · {'健康度' if lang == 'zh' else 'health score'}"
    draw.text((MARGIN, MARGIN), fit(heading, 22, WIDTH - 2 * MARGIN), font=font(22), fill=INK)
    left, right = MARGIN + 40, WIDTH - MARGIN
    top, bottom = MARGIN + 50, HEIGHT - MARGIN - 20

    def y(score: float) -> float:
        return bottom - score / 100 * (bottom - top)

    draw.rectangle((left, y(100), right, y(config.green)), fill=_BANDS["green"])
    draw.rectangle((left, y(config.green), right, y(config.yellow)), fill=_BANDS["yellow"])
    draw.rectangle((left, y(config.yellow), right, y(0)), fill=_BANDS["red"])
    for score in (0, 50, 100):
        draw.text((MARGIN, y(score) - 7), str(score), font=font(12), fill=MUTED)
    first, last = history[0][0], history[-1][0]
    span = max((last - first).days, 1)
    points = [(left + (right - left) * (day - first).days / span, y(score)) for day, score in history]
    draw.line(points, fill=PALETTE[0], width=3)
    draw.text((left, bottom + 4), first.isoformat(), font=font(12), fill=MUTED)
    draw.text((right - 80, bottom + 4), last.isoformat(), font=font(12), fill=MUTED)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
