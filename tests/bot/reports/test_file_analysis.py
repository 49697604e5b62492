"""Recognising what a shared CSV holds, and the report, chart and export made from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.reports.file_analysis import analyse, guess_kind, kind_in
from tests.conftest import make_settings


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("rfm please", "rfm"),
        ("RFM 分析", "rfm"),
        ("客户分层", "tier"),
        ("tier these", "tier"),
        ("hello", None),
    ],
)
def test_kind_named_in_words(text: str, kind: str | None) -> None:
    assert kind_in(text) == kind


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        ("用户ID,下单日期,实付\nA,2024-01-01,5\n".encode("gb18030"), "rfm"),
        (b"customer_id,order_date,amount\n", "rfm"),
        ("客户编号,订单金额,毛利率,企业规模\n".encode(), "tier"),
        (b"name,city\n", None),
        (b"\x00\x01binary", None),
    ],
)
def test_kind_guessed_from_the_columns(data: bytes, kind: str | None) -> None:
    assert guess_kind(data) == kind


def test_analysis_returns_the_report_chart_and_export(tmp_path: Path) -> None:
    data = "客户,日期,金额\nA,2024-01-01,10\nB,2024-01-05,30\n".encode()
    analysis = analyse("rfm", data, "<!channel>.csv", "zh", make_settings(tmp_path))
    assert [u.filename for u in analysis.uploads] == ["<!channel>-rfm.png", "<!channel>-rfm-customers.csv"]
    assert "&lt;!channel&gt;" in analysis.comment and "<!channel>" not in str(analysis.payload)
