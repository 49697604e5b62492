"""Reading a thread into the conversation an answer uses."""

from __future__ import annotations

from bot.slack.threads import ThreadMessage, opsbot_is_in, turns_before
from knowledge.conversation import Turn


def _person(ts: str, text: str) -> ThreadMessage:
    return ThreadMessage(ts, text, by_opsbot=False, by_a_person=True)


def _opsbot(ts: str, text: str) -> ThreadMessage:
    return ThreadMessage(ts, text, by_opsbot=True, by_a_person=False)


def test_only_questions_opsbot_answered_before_now_are_the_conversation() -> None:
    thread = [
        _person("1.0", "<@UOPSBOT> 复盘有哪几步?"),
        _opsbot("2.0", "复盘分四步 …"),
        _person("3.0", "我先去开会"),
        _person("4.0", "<@UOPSBOT> 那第二步呢?"),
        _opsbot("5.0", "评估结果 …"),
        _person("6.0", "那第三步呢?"),
    ]
    assert turns_before(thread, "6.0") == [
        Turn("复盘有哪几步?", "复盘分四步 …"),
        Turn("那第二步呢?", "评估结果 …"),
    ]
    assert turns_before(thread, "4.0") == [Turn("复盘有哪几步?", "复盘分四步 …")]
    assert opsbot_is_in(thread)
    assert not opsbot_is_in([_person("1.0", "午饭吃什么?")])
