"""Code-like tokens in questions, and exact matching of them in passages."""

from __future__ import annotations

from knowledge.identifiers import holds, identifiers


def test_codes_are_found_but_amounts_years_and_short_tokens_are_not() -> None:
    text = "ZQX0111 SOP-2023-017 订单号A12345678 错误码E1042 500w 10k 2024年 5-5-5 Q3 B2B 1234567 12345"
    assert identifiers(text) == ["ZQX0111", "SOP-2023-017", "A12345678", "E1042", "1234567"]
    assert identifiers("复盘怎么做? how do I run a retrospective") == []


def test_a_code_is_held_whole_in_any_case() -> None:
    assert holds("see note zqx0111.", "ZQX0111")
    assert not holds("ZQX01110 and ZQX0011", "ZQX0111")
    assert holds("按 SOP-2023-017 处理", "sop-2023-017")
    assert not holds("SOP-2023-0171", "SOP-2023-017")
