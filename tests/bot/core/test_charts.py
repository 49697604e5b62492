"""Charts: valid PNGs, sized to their content, with Chinese glyphs actually drawn."""

from __future__ import annotations

import io
from datetime import date

from PIL import Image

from bot.core.charts import WIDTH, fit, font, rfm_chart, tier_chart
from bot.reports.funnel_chart import funnel_chart
from skills.funnel import compute_funnel
from skills.rfm import Transaction, segment_rfm
from skills.tier_config import default_tier_config
from skills.tiers import Client, score_clients


def _image(png: bytes) -> Image.Image:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return Image.open(io.BytesIO(png))


def test_the_chinese_font_has_real_glyphs_not_boxes() -> None:
    missing = font(20).getmask("\U000f0000")  # a private-use code point: the font's "no glyph" box
    for character in "销售客户转化漏斗":
        assert bytes(font(20).getmask(character)) != bytes(missing), character


def test_funnel_chart_has_a_row_per_stage_and_is_drawn_widest_first() -> None:
    result = compute_funnel("500万 销售 / 5% 客户 / 80% 下载", None)
    image = _image(funnel_chart(result, "zh", "500万 销售 / 5% 客户 / 80% 下载")).convert("RGB")
    assert image.width == WIDTH
    centre = WIDTH // 2
    rows = [y for y in range(image.height) if image.getpixel((centre, y)) != (255, 255, 255)]
    top_bar_width = sum(1 for x in range(WIDTH) if image.getpixel((x, rows[0] + 5)) != (255, 255, 255))
    bottom_bar_width = sum(1 for x in range(WIDTH) if image.getpixel((x, rows[-1] - 5)) != (255, 255, 255))
    assert top_bar_width > bottom_bar_width


def test_long_names_are_cut_to_fit() -> None:
    cut = fit("一个非常非常非常非常非常非常长的阶段名称" * 3, 20, 200)
    assert cut.endswith("…") and font(20).getlength(cut) <= 200


def test_rfm_and_tier_charts_grow_with_their_rows() -> None:
    transactions = [Transaction(f"c{i}", date(2024, 1, 1 + i % 28), 10.0 + i) for i in range(40)]
    rfm = _image(rfm_chart(segment_rfm(transactions, None), "en"))
    config = default_tier_config()
    tiers = _image(tier_chart(score_clients([Client("a", "a", {"order_amount": 1e6})], config), "zh"))
    assert rfm.width == tiers.width == WIDTH
    assert rfm.height > tiers.height  # 18 segment rows against 3 tier rows
