"""Retrieval quality on the playbook question set, and the relevance gate on off-topic questions."""

from __future__ import annotations

from pathlib import Path

from bot.answers.service import KnowledgeService
from knowledge.documents import Section
from knowledge.evaluation import evaluate_modes, in_split, load_questions, load_unanswerable
from knowledge.index import KnowledgeIndex

HERE = Path(__file__).parent
ALL_QUESTIONS = load_questions(HERE / "playbook_questions.jsonl")
QUESTIONS = in_split(ALL_QUESTIONS, "heldout")  # fusion and gate settings were chosen on the other half
OFF_TOPIC = [q.q for q in load_unanswerable(HERE / "unanswerable_questions.jsonl") if q.kind == "off-topic"]


def test_question_set_is_bilingual_and_large_enough() -> None:
    langs = [q.lang for q in ALL_QUESTIONS]
    assert langs.count("zh") >= 20
    assert langs.count("en") >= 20
    for lang in ("zh", "en"):
        ours = [q for q in ALL_QUESTIONS if q.lang == lang]
        assert abs(sum(q.split == "tune" for q in ours) - len(ours) / 2) <= 1


def test_fused_retrieval_meets_the_target_and_beats_each_side(knowledge: KnowledgeService) -> None:
    index = knowledge.answerer.index
    results = evaluate_modes(index, QUESTIONS)
    fused, dense, lexical = results["fused"], results["dense"], results["bm25"]
    print({mode: scores["all"].as_dict() for mode, scores in results.items()})
    assert fused["all"].hit_at_5 >= 0.95, fused["all"].misses
    assert fused["zh"].hit_at_5 >= 0.9
    assert fused["en"].hit_at_5 >= 0.9
    assert fused["all"].hit_at_5 >= max(dense["all"].hit_at_5, lexical["all"].hit_at_5)
    assert fused["all"].mrr_at_5 > dense["all"].mrr_at_5
    assert fused["all"].mrr_at_5 > lexical["all"].mrr_at_5


def test_questions_cross_languages_to_single_language_documents(
    knowledge: KnowledgeService, tmp_path: Path
) -> None:
    """A Chinese-only document answers an English question, and the other way round."""
    index = KnowledgeIndex(tmp_path, knowledge.answerer.index.embedders)
    sections = [
        Section("team/社群.md", "社群运营", "s1", "社群活跃", "zh", SHEQUN, "team:shequn"),
        Section("team/pricing.md", "Pricing", "s1", "Annual price increases", "en", PRICING, "team:pricing"),
        Section("team/holiday.md", "假期", "s1", "年假制度", "zh", HOLIDAY, "team:holiday"),
    ]
    sections += [
        Section(f"team/notes-{n}.md", "笔记", "s1", f"笔记{n}", "zh", text, f"team:note{n}")
        for n, text in enumerate(DISTRACTORS)
    ]
    index.sync_sections(sections, prefix="team/")
    assert (
        index.search("how do we keep our customer WeChat group active?", top_k=1)[0].chunk.key
        == "team:shequn"
    )
    assert index.search("每年涨价应该怎么跟客户沟通", top_k=1)[0].chunk.key == "team:pricing"
    assert index.search("how much annual leave do staff get?", top_k=1)[0].chunk.key == "team:holiday"


SHEQUN = (
    "客户微信群要有固定节奏:每周二发行业简报,每月一次线上答疑,群里的问题两小时内回复,沉默成员定期私聊唤醒。"
)
PRICING = (
    "When prices go up at the annual renewal, tell clients three months ahead, explain the added value "
    "with their own usage data, and offer a one-year lock-in for early renewals."
)
HOLIDAY = "员工每年有十五天年假,需提前两周在系统里申请,由直属主管审批。"
DISTRACTORS = [
    "客户档案要写清行业、规模和决策人。",
    "新客户上线第一周安排两次培训。",
    "客户来电要在工单系统里登记。",
    "大客户每季度做一次业务回顾。",
    "客户满意度调查每半年发一次。",
    "客户的发票信息由财务统一维护。",
    "给客户演示前先确认网络和账号。",
    "客户流失后三十天内做一次回访。",
]


def test_off_topic_questions_get_no_answer(knowledge: KnowledgeService) -> None:
    answerer = knowledge.answerer
    answered = [q for q in OFF_TOPIC if answerer.answer(q).found]
    assert answered == []
    kept = sum(answerer.answer(q.q).found for q in QUESTIONS)
    assert kept / len(QUESTIONS) >= 0.9
