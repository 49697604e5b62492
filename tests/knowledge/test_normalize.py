"""Normalization for indexing: each rule, and what it must leave alone."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.normalize import (
    collapse_whitespace,
    drop_boilerplate,
    is_boilerplate,
    is_pinyin,
    normalize_for_index,
    normalize_query,
    pinyin_syllables,
    simplified_throughout,
    strip_pinyin_annotations,
    to_simplified,
    written_in_traditional,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("產(chǎn)品運(yùn)營", "產品運營"),
        ("留存（liú）率", "留存率"),
        ("复(fu4)盘", "复盘"),
        ("客户的(de)需求", "客户的需求"),
        ("接口(API)文档", "接口(API)文档"),
        ("面向(B端)客户", "面向(B端)客户"),
        ("下载(app)安装", "下载(app)安装"),
        ("客户（VIP）", "客户（VIP）"),
        ("see (chan) here", "see (chan) here"),
        ("定下嘉宾(jiā bīn)，并", "定下嘉宾，并"),
        ("完整彩排(cǎipái)一次", "完整彩排一次"),
        ("續約 (xu4 yue1) 流程", "續約 流程"),
        ("周报(zhōu bào)和月报(yuè bào)", "周报和月报"),
        ("老朋友(péngyou)", "老朋友"),
        ("用户(user)画像", "用户(user)画像"),
        ("产品(change)日志", "产品(change)日志"),
        ("备选方案(plan b)", "备选方案(plan b)"),
        ("嘉(jiā bīn)", "嘉(jiā bīn)"),
    ],
)
def test_pinyin_annotations_go_and_real_parentheticals_stay(text: str, expected: str) -> None:
    assert strip_pinyin_annotations(text) == expected


@pytest.mark.parametrize("word", ["chǎn", "yùn", "zhuang4", "lü", "er", "de", "xiang"])
def test_pinyin_syllables(word: str) -> None:
    assert is_pinyin(word)


@pytest.mark.parametrize("word", ["api", "app", "vip", "hello", "b"])
def test_not_pinyin(word: str) -> None:
    assert not is_pinyin(word)


@pytest.mark.parametrize(
    ("reading", "syllables"),
    [("chǎn", 1), ("jiā bīn", 2), ("jiābīn", 2), ("xu4yue1", 2), ("péngyou", 2), ("xi'ān", 2)],
)
def test_pinyin_readings_count_their_syllables(reading: str, syllables: int) -> None:
    assert pinyin_syllables(reading) == syllables


@pytest.mark.parametrize("reading", ["API", "plan b", "change", "ops team", "hello world", ""])
def test_words_that_are_not_pinyin_readings(reading: str) -> None:
    assert pinyin_syllables(reading) is None


def test_the_broken_converter_example_indexes_as_simplified() -> None:
    assert normalize_for_index("產(chǎn)品運(yùn)營") == "产品运营"


def test_a_question_is_normalized_but_never_dropped_as_boilerplate() -> None:
    assert normalize_for_index("怎么让客户关注公众号") == ""
    assert normalize_query("怎麼讓客戶關注公眾號") == "怎么让客户关注公众号"
    assert normalize_query("產(chǎn)品  運營") == "产品运营"


def test_traditional_becomes_simplified() -> None:
    assert to_simplified("客戶滿意度與續約復盤") == "客户满意度与续约复盘"


def test_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "café ü")
    assert normalize_for_index(decomposed) == "café ü"


def test_whitespace_is_collapsed_and_pdf_spacing_between_characters_removed() -> None:
    assert (
        collapse_whitespace("客 户 运 营\t\tKA 体系\n\n\n\n  next   line ") == "客户运营 KA 体系\n\nnext line"
    )


@pytest.mark.parametrize(
    "line",
    [
        "转载请注明出处",
        "点击上方蓝字关注我们",
        "长按识别二维码，关注公众号",
        "長按識別二維碼，關注公眾號",
        "本文來源：客服中心",
        "评论（12）",
        "来源：人人都是产品经理",
        "原文链接：https://example.com/a",
        "Share this article",
        "12 comments",
        "Copyright © 2024 Example Inc. All rights reserved.",
        "Follow us on LinkedIn",
        "本文僅供內部使用，請勿外傳",
        "内部资料 请勿转发",
        "For internal use only. Do not forward.",
    ],
)
def test_boilerplate_lines(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "本文讨论如何关注客户满意度，并在复盘时把结论分享到团队的公共文档里，这样所有人都能看到做得好的和做得不好的地方。",
        "Follow up with every complaint within two hours, and share the fix with the customer's team.",
        "关注留存率",
        "内部使用的模板请勿直接发给客户，先改成客户的名字和数字。",
        "客户的合同请勿转发给第三方",
        "仅供内部使用的报价表放在共享盘",
        "Internal use only templates live in the shared drive.",
        "Do not forward a complaint to engineering before you have reproduced it.",
    ],
)
def test_content_that_mentions_the_same_words_is_kept(line: str) -> None:
    assert not is_boilerplate(line)
    assert drop_boilerplate(line) == line


@given(st.text(alphabet=st.characters(categories=["Lo", "Ll", "Lu", "Nd", "Zs", "Po"]), max_size=200))
def test_normalizing_is_idempotent(text: str) -> None:
    once = normalize_for_index(text)
    assert normalize_for_index(once) == once


def test_traditional_characters_pasted_into_simplified_text_become_simplified() -> None:
    assert simplified_throughout("合同到期前 90 天启动續約流程。") == "合同到期前 90 天启动续约流程。"
    assert simplified_throughout("發現問題後") == "发现问题后"


def test_characters_that_simplified_text_writes_too_are_left_as_they_are() -> None:
    """Converting a whole Simplified text would turn 乾隆 into 干隆; one character at a time, only
    those that are one Simplified character's Traditional form change."""
    assert to_simplified("乾隆年间") == "乾隆年间"  # OpenCC knows the word ...
    assert to_simplified("乾") == "干"  # ... but not the character alone
    assert simplified_throughout("乾隆年间續約") == "乾隆年间续约"
    assert simplified_throughout("著名的RFM模型") == "著名的RFM模型"
    assert simplified_throughout("Renewal: 30 days, 100%") == "Renewal: 30 days, 100%"


def test_traditional_script_is_told_by_the_characters_only_it_uses() -> None:
    assert written_in_traditional("復盤怎麼做?")
    assert written_in_traditional("客戶分層 KA")
    assert not written_in_traditional("复盘怎么做?")
    assert not written_in_traditional("著名的RFM模型")  # 著 belongs to both scripts
    assert not written_in_traditional("RFM")
