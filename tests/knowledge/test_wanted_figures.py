"""Which questions want a formula or a normal figure, and which passages show one."""

from __future__ import annotations

import pytest

from knowledge.wanted_figures import serves, shows_figure, wanted_figure


@pytest.mark.parametrize(
    "question",
    [
        "How do I calculate the conversion rate of a funnel?",
        "how is the health score computed",
        "What's the formula for ARPU?",
        "留存率怎么算?",
        "转化率如何计算",
        "客单价的计算公式是什么",
        "續約率怎麼計算?",
    ],
)
def test_a_question_asking_how_to_compute_wants_a_formula(question: str) -> None:
    assert wanted_figure(question) == "formula"


@pytest.mark.parametrize(
    "question",
    [
        "What is a good open rate for a newsletter?",
        "what renewal rate is normal for SaaS",
        "续约率多少算正常?",
        "复购率多少才算好",
        "客单价的合理范围是多少",
    ],
)
def test_a_question_asking_what_is_normal_wants_a_benchmark(question: str) -> None:
    assert wanted_figure(question) == "benchmark"


@pytest.mark.parametrize(
    "question",
    [
        "How do I run a retrospective?",
        "这种反馈算不算客诉?",
        "怎么算是高价值客户",
        "What should a weekly report hold?",
        "Is it normal to skip the to-do list?",  # "is it normal to" asks about a habit, not a number
    ],
)
def test_other_questions_want_no_figure(question: str) -> None:
    assert wanted_figure(question) is None


def test_a_formula_is_an_operation_or_a_word_for_one() -> None:
    for passage in (
        "1000w customers ÷ 80% = 1250w downloads",
        "If the target is revenue, divide by the average order value.",
        "先除以客单价，得到需要的付费客户数",
        "两者结合就能算出运营工作的投入产出比",
        "續約率的計算方式見月報",
        "Each client starts at 100 points; falling usage takes off up to 35 points.",
    ):
        assert shows_figure("formula", passage), passage
    for passage in ("Renewal starts with evidence.", "客户价值的评分维度：订单金额、公司规模"):
        assert not shows_figure("formula", passage), passage


def test_a_benchmark_is_a_rate_or_a_score() -> None:
    for passage in ("低于 60 分的客户标记为红色预警", "a drop of 30% or more", "8 points out of 10"):
        assert shows_figure("benchmark", passage), passage
    for passage in ("for B2B SaaS it is the renewal rate", "second- and third-level metrics", "5 steps"):
        assert not shows_figure("benchmark", passage), passage


def test_any_passage_serves_a_question_that_wants_no_figure() -> None:
    assert shows_figure(None, "Renewal starts with evidence.")


def test_a_figure_further_down_the_ranking_serves_no_one() -> None:
    assert serves("formula", "score each quintile 20%", rank=2)
    assert not serves("formula", "score each quintile 20%", rank=3)
    assert not serves("formula", "Renewal starts with evidence.", rank=0)
    assert serves(None, "Renewal starts with evidence.", rank=7)
