"""Follow-up questions: what they refer to, and what is searched for them."""

from __future__ import annotations

import pytest

from knowledge.conversation import (
    MAX_TURN_CHARS,
    MAX_TURNS,
    Turn,
    leans_on_context,
    listed_items,
    ordinal,
    recent,
    search_text,
)

RETRO_ANSWER = """• 复盘分四步： [1]
    ◦ 回顾目标：当初想达成什么，用数字说明；
    ◦ 评估结果：实际发生了什么，与目标相比如何；
    ◦ 分析原因：差距或成功的原因是什么；
    ◦ 总结规律：哪些要继续、哪些要停止。
• 活动结束后尽快复盘。 [1]
• 接着对每个项目做复盘： [2]
    ◦ 客户最喜欢的产品；
    ◦ 从商机到签约用了多长时间。"""


@pytest.mark.parametrize(
    ("question", "position"),
    [
        ("那第二步具体要看什么?", 2),
        ("第3点怎么做?", 3),
        ("最后一步呢?", -1),
        ("What should I look at in the second step?", 2),
        ("and the last one?", -1),
        ("tell me more about step 4", 4),
        ("客户分层怎么做?", None),
        ("How do I tier clients?", None),
    ],
)
def test_ordinals_are_read_in_both_languages(question: str, position: int | None) -> None:
    assert ordinal(question) == position


@pytest.mark.parametrize(
    ("question", "leans"),
    [
        ("那第二步具体要看什么?", True),
        ("还有呢?", True),
        ("为什么?", True),
        ("What about the second one?", True),
        ("Why is that?", True),
        ("客户分层怎么做?", False),
        ("谢谢!", False),
        ("ok, got it", False),
        ("How do I prepare for a renewal with a key account?", False),
        ("具体怎么做?", True),
        ("Can you give an example?", True),
        ("第二步", True),
        ("新客户签约后第一步做什么?", False),  # an ordinal, but the question names its subject
        ("how do I grow retention", False),  # short, and still about something
        ("What about KA clients?", True),
        ("Our churn is 8%, is that bad?", False),  # "that" is the 8%, not the last answer
    ],
)
def test_a_question_that_names_its_subject_stands_alone(question: str, leans: bool) -> None:
    assert leans_on_context(question) is leans


def test_the_innermost_list_is_what_an_ordinal_counts() -> None:
    assert listed_items(RETRO_ANSWER)[1] == "评估结果：实际发生了什么，与目标相比如何；"
    assert listed_items(RETRO_ANSWER)[-1] == "总结规律：哪些要继续、哪些要停止。"  # the first list's last
    assert listed_items("• one [1]\n• two [2]") == ["one", "two"]
    assert listed_items("no list here") == []


def test_an_ordinal_is_searched_with_the_item_it_names_not_its_own_words() -> None:
    earlier = [Turn("复盘有哪几步?", RETRO_ANSWER)]
    query = search_text("那第二步具体要看什么?", earlier)
    assert query.startswith("评估结果：实际发生了什么")
    assert "第二步" not in query


def test_a_vague_follow_up_is_searched_with_the_question_before_it() -> None:
    earlier = [
        Turn("How do I tier clients?", "• Pick the value dimensions [1]"),
        Turn("复盘有哪几步?", RETRO_ANSWER),
    ]
    assert search_text("还有呢?", earlier) == "复盘有哪几步? 还有呢?"
    assert (
        search_text("第九步呢?", earlier) == "复盘有哪几步? 第九步呢?"
    )  # no ninth item: the topic still helps


def test_a_new_topic_and_a_first_question_are_searched_alone() -> None:
    earlier = [Turn("复盘有哪几步?", RETRO_ANSWER)]
    assert search_text("客户分层怎么做?", earlier) == "客户分层怎么做?"
    assert search_text("新客户签约后第一步做什么?", earlier) == "新客户签约后第一步做什么?"
    assert search_text("还有呢?", []) == "还有呢?"


def test_only_the_recent_turns_are_kept_and_each_is_bounded() -> None:
    turns = [Turn(f"question {n}", "x" * (MAX_TURN_CHARS + 500)) for n in range(10)]
    kept = recent(turns)
    assert [turn.question for turn in kept] == [f"question {n}" for n in range(10 - MAX_TURNS, 10)]
    assert all(len(turn.answer) == MAX_TURN_CHARS for turn in kept)
