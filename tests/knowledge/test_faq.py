"""Question-and-answer pages: which texts are read as pairs, and how."""

from __future__ import annotations

from knowledge.faq import Pair, headed_pair, question_page


def test_pairs_in_each_way_of_writing_them() -> None:
    chinese = (
        "常见问题汇总\n\n问：发票多久能开？\n答：付款后 3 个工作日内。\n\n问：能开专票吗？\n答：可以。\n"
    )
    page = question_page(chinese)
    assert page is not None and page.intro == "常见问题汇总"
    assert page.pairs == (Pair("发票多久能开？", "付款后 3 个工作日内。"), Pair("能开专票吗？", "可以。"))
    english = "**Q:** Can a client pay by card?\n**A:** Yes, under 50 seats.\n\nQ2: Late payments?\nA2: A reminder after 15 days.\n"
    assert [pair.answer for pair in question_page(english).pairs] == [
        "Yes, under 50 seats.",
        "A reminder after 15 days.",
    ]


def test_an_answer_goes_on_to_the_next_question_and_a_question_may_wrap() -> None:
    text = "Q: What happens when a payment\nis late?\nA: A reminder after 15 days.\n\n- after 45 days, read-only.\nQ: Card?\nA: Yes."
    page = question_page(text)
    assert page is not None
    assert page.pairs[0] == Pair(
        "What happens when a payment is late?", "A reminder after 15 days.\n\n- after 45 days, read-only."
    )


def test_text_that_only_looks_like_it_is_not_a_page() -> None:
    assert question_page("Q: one question\nA: one answer\n") is None  # one pair is a sentence
    assert question_page("Q: asked\nA: answered\nQ: never answered\n") is None
    assert question_page("Options:\nA. call\nB. write\nQ. which?\n") is None
    assert question_page("答复客户要及时。\n问题要记录。") is None


def test_numbered_questions_and_longer_markers() -> None:
    text = "问题1：怎么开票？\n答案：后台申请。\n\n问题2：多久到账？\n回答：三个工作日。"
    page = question_page(text)
    assert page is not None
    assert page.pairs == (Pair("怎么开票？", "后台申请。"), Pair("多久到账？", "三个工作日。"))


def test_a_heading_that_asks_over_a_text_that_answers_is_a_pair() -> None:
    assert headed_pair("Q: Who can turn on SSO?", "A: Only the owner.") == Pair(
        "Who can turn on SSO?", "Only the owner."
    )
    assert headed_pair("问：发票多久能开？", "\n答：3 个工作日内。") == Pair(
        "发票多久能开？", "3 个工作日内。"
    )
    assert headed_pair("Who can turn on SSO?", "A: Only the owner.") is None  # no question marker
    assert headed_pair("Q: Who can turn on SSO?", "Only the owner.") is None  # no answer marker
