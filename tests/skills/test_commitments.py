"""Commitments a polished draft must not add: offers, deadlines, guarantees."""

from __future__ import annotations

from skills.commitments import added_commitments, commitments

TEMPLATE = "Your contract renews on 2026-12-31. Could we find 30 minutes in the next two weeks?"


def test_the_invented_offer_and_its_deadline_are_caught() -> None:
    text = TEMPLATE + " If you sign this week we can also give you 30% off."
    added = added_commitments(text, TEMPLATE)
    assert [(a.kind, a.sentence) for a in added] == [
        ("deadline", "If you sign this week we can also give you 30% off."),
        ("offer", "If you sign this week we can also give you 30% off."),
    ]


def test_chinese_offers_and_guarantees() -> None:
    assert commitments("本周内签约可享 8折 优惠") == {"offer", "deadline"}
    assert commitments("我们保证下季度上线") == {"guarantee"}
    assert added_commitments("续约可以减免一个月服务费。", "期待您的回复。")[0].kind == "offer"


def test_friendly_words_are_not_commitments() -> None:
    assert commitments("Feel free to reply, and thank you for a great year.") == set()
    assert added_commitments("Looking forward to your reply.", TEMPLATE) == []


def test_an_offer_the_template_makes_may_only_name_the_ladders_discounts() -> None:
    template = "We can offer a discount on a two-year renewal."
    allowed = (5.0, 10.0)
    assert added_commitments("A 10% discount applies to a two-year renewal.", template, allowed) == []
    assert added_commitments("9折 for a two-year renewal: a discount.", template, allowed) == []
    [wrong] = added_commitments("A 15% discount applies to a two-year renewal.", template, allowed)
    assert wrong.kind == "offer"
    [too_deep] = added_commitments("7折 discount for two years.", template, allowed)
    assert too_deep.kind == "offer", "7折 is 30% off, beyond the ladder"


def test_a_discount_in_chinese_numerals_is_an_offer_read_at_its_depth() -> None:
    assert commitments("续约给您九折") == {"offer"}
    assert commitments("这个项目一波三折,终于上线了") == set()
    template = "两年续约可以打折。"
    allowed = (5.0, 10.0)
    assert added_commitments("两年续约打九折。", template, allowed) == []
    assert added_commitments("两年续约九五折。", template, allowed) == []
    [too_deep] = added_commitments("两年续约八五折。", template, allowed)
    assert too_deep.kind == "offer", "八五折 is 15% off, beyond the ladder"
