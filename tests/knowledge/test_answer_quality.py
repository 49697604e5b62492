"""What a person reads: offline answers carry the key points of the held-out questions."""

from __future__ import annotations

from pathlib import Path

from bot.answers.service import KnowledgeService
from knowledge.answer_evaluation import load_answer_questions, score_answers
from knowledge.text import detect_language
from skills.feedback_categories import CATEGORY_INFO

QUESTIONS = load_answer_questions(Path(__file__).parent / "answer_questions.jsonl")


def test_held_out_answers_carry_the_key_points(knowledge: KnowledgeService) -> None:
    """The composition settings were chosen on the tuning half; this reports the other half."""

    def answer(question: str) -> tuple[bool, str]:
        reply = knowledge.answerer.answer(question)
        return reply.found, reply.text

    scores = score_answers(answer, QUESTIONS, "heldout")
    misses = [(r.question.q, r.missing) for r in scores["all"].results if r.missing]
    assert scores["all"].count >= 30
    assert scores["all"].refused == 0
    # The target is 0.95; with fusion, gate and composition all chosen on the tuning half,
    # the held-out half reaches 0.987 (Chinese 1.0, English 0.974). These floors guard against less.
    assert scores["all"].coverage >= 0.95, misses
    assert scores["zh"].coverage >= 0.95 and scores["en"].coverage >= 0.9, misses


def test_a_mixed_question_is_answered_in_the_language_its_sentence_is_built_in(
    knowledge: KnowledgeService,
) -> None:
    for question, lang in (
        ("daily routine 早上干啥", "zh"),
        ("production bug 的 report 要写哪些东西?", "zh"),
        ("What are the steps of a 复盘?", "en"),
    ):
        answer = knowledge.answerer.answer(question)
        assert answer.found and answer.lang == lang, question
        assert detect_language(answer.text) == lang, answer.text


def test_a_short_question_with_a_typo_is_answered_from_the_word_meant(knowledge: KnowledgeService) -> None:
    for question, topic in (
        ("renewl checklist", "renewal"),
        ("custmer tiering", "tier"),
        ("续月有哪些风险", "续约"),
    ):
        answer = knowledge.answerer.answer(question)
        assert answer.found, question
        assert any(topic in source.section_title.lower() for source in answer.citations), answer.citations


def test_an_answer_stays_slack_sized(knowledge: KnowledgeService) -> None:
    for question in ("客户价值的评分维度有哪些?", "What does a product-ops person do all day?"):
        answer = knowledge.answerer.answer(question)
        assert answer.found
        assert len(answer.text) <= 1_600  # units within ~1,200 characters, plus bullets and tags
        assert answer.text.count("\n• ") <= 7  # at most eight bullets


def test_the_funnel_example_never_states_the_article_slip_as_fact(knowledge: KnowledgeService) -> None:
    """1000w customers at an 80% registration rate need 1250w downloads; the article wrote 12500w."""
    for question in (
        "走一遍1000w销售额的漏斗案例,需要多少下载量?",
        "Walk me through the 1000w sales funnel example",
    ):
        answer = knowledge.answerer.answer(question)
        assert "1250w" in answer.text
        for line in answer.text.splitlines():
            if "12500w" in line:
                assert any(word in line for word in ("wrote", "not 12500w", "原文", "而不是", "写成")), line


HANDLING_SECTIONS = {
    "bug": ("Handling production bugs", "生产类bug的处理"),
    "how_to": ("Operation questions and the Q&A manual", "操作问题与QA手册"),
    "ops_admin": ("Ops-management issues", "运营管理问题"),
    "feature_request": ("Feature requests and complaints", "新需求与客诉"),
}


def test_asking_how_to_handle_a_feedback_category_finds_its_playbook_section(
    knowledge: KnowledgeService,
) -> None:
    """Feedback is filed under these names, so the playbook answers to them: a person reading
    "Feature request" on a filed item and asking how to handle one gets the section on it."""
    for category, (english, chinese) in HANDLING_SECTIONS.items():
        labels = CATEGORY_INFO[category].label
        for question, section in (
            (f"How do I handle a {labels['en'].lower()}?", english),
            (f"{labels['zh']}怎么处理?", chinese),
        ):
            answer = knowledge.answerer.answer(question)
            assert section in [c.section_title for c in answer.citations[:2]], question


def test_questions_in_everyday_ops_words_find_the_playbook_section(knowledge: KnowledgeService) -> None:
    """GMV for sales, 加功能 for a new requirement, a contact who leaves, the repurchase rate: the
    playbook names them."""
    for question, section in (
        ("昨天的GMV突然掉了30%,怎么查?", "数据异常分析清单"),
        ("大客户要求加功能怎么办?", "新需求与客诉"),
        ("客户的关键联系人离职了怎么办?", "续约：风险与谈判"),
        ("怎么提高复购率?", "电商运营的抓手"),
        ("How do I handle a feature request from a big client?", "Feature requests and complaints"),
        ("新客户上线第一个月要做哪些事?", "项目启动"),
        ("How do I improve retention?", "Raising retention"),
        ("我们的留存很差,怎么办?", "提高留存"),
        ("What do I do with users who signed up but never bought?", "The four user outcomes"),
        ("怎么做增购?", "增购：让老客户买得更多"),
        ("How do I upsell an existing client?", "Expansion: selling more to existing clients"),
    ):
        answer = knowledge.answerer.answer(question)
        assert answer.found and section in [c.section_title for c in answer.citations], question


def test_everyday_customer_success_questions_lead_with_the_section_that_answers_them(
    knowledge: KnowledgeService,
) -> None:
    """Business reviews, late payments, satisfaction, A/B tests and a full book of clients: each used
    to be answered from a neighbouring section (a late payment with the churn signs, satisfaction
    with the client-value dimensions) or refused."""
    for question, section, fact in (
        ("QBR 要讲什么?", "客户业务回顾（QBR）", "上次约定的目标"),
        (
            "How do I run a quarterly business review with a client?",
            "Business reviews with a client",
            "next quarter",
        ),
        ("客户拖欠回款怎么办?", "回款逾期", "先弄清楚为什么逾期"),
        ("How do I chase an overdue invoice?", "Late payments", "find out why it is late"),
        ("How do I measure customer satisfaction?", "Measuring satisfaction", "CSAT"),
        ("客户满意度怎么调研?", "客户满意度怎么衡量", "NPS"),
        ("How do I run an A/B test?", "Running an A/B test", "change one thing only"),
        ("AB测试怎么做?", "怎么做A/B测试", "一次只改一处"),
        ("我负责的客户太多了,忙不过来怎么办?", "客户太多、忙不过来时先顾哪头", "先处理异常"),
        (
            "How should I prioritise my time across too many accounts?",
            "Too many clients: where the time goes",
            "first anything abnormal",
        ),
    ):
        answer = knowledge.answerer.answer(question)
        assert answer.found and answer.citations[0].section_title == section, (question, answer.citations)
        assert fact in answer.text, (question, answer.text)


def test_a_new_hire_s_first_month_is_not_read_as_users_leaving_after_a_month(
    knowledge: KnowledgeService,
) -> None:
    answer = knowledge.answerer.answer("What should a new CSM learn in their first month?")
    assert "Raising retention" not in [c.section_title for c in answer.citations], answer.citations


def test_signs_that_a_client_may_leave_lead_the_answer_to_a_churn_question(
    knowledge: KnowledgeService,
) -> None:
    for question, section, sign in (
        (
            "How do I tell if a client is at risk of churning?",
            "Warning signs that a client may leave",
            "payments run late",
        ),
        ("怎么判断客户要流失了?", "客户可能流失的预警信号", "付款逾期"),
        ("客户流失预警有哪些信号", "客户可能流失的预警信号", "使用量下降"),
    ):
        answer = knowledge.answerer.answer(question)
        assert answer.found and answer.citations[0].section_title == section, (question, answer.citations)
        assert sign in answer.text, answer.text


def test_a_question_wanting_a_formula_or_a_normal_figure_is_not_answered_with_a_neighbouring_topic(
    knowledge: KnowledgeService,
) -> None:
    for question, note in (
        ("How do I compute customer lifetime value?", "no_formula"),
        ("What churn rate is normal for B2B SaaS?", "no_benchmark"),
        ("续约率多少算正常?", "no_benchmark"),
    ):
        answer = knowledge.answerer.answer(question)
        assert (answer.found, answer.note) == (False, note), (question, answer.text)
    lifetime = knowledge.answerer.answer("How do I compute customer lifetime value?")
    assert lifetime.citations  # the sections near it are named, never quoted


def test_the_playbook_s_own_computations_still_answer(knowledge: KnowledgeService) -> None:
    for question, fact in (
        ("从销售目标倒推需要多少流量，怎么算", "除以客单价"),
        ("How do I calculate the funnel for a 1000w target?", "1250w"),
        ("加权打分具体怎么算?", "3.95"),
        ("怎么计算运营的投入产出比?", "投入产出比"),
    ):
        answer = knowledge.answerer.answer(question)
        assert answer.found and fact in answer.text, (question, answer.text)
