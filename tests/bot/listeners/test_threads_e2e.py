"""Threads as conversations, end to end: signed events into the real Bolt app, and a loopback Slack
that keeps every message, so conversations.replies tells the truth about each thread."""

from __future__ import annotations

import itertools
import json
from typing import Any

from bot.local.slack_api import BOT_USER_ID, LocalSlack, StoredMessage
from tests.bot.conftest import Running
from tests.conftest import SIGNING_SECRET
from tests.fakes.slack_requests import send_event

_ids = itertools.count(1)


def _send(running: Running, event: dict[str, Any]) -> None:
    assert send_event(running.events_url, SIGNING_SECRET, event, f"EvThread{next(_ids)}") == 200


def _mention(
    slack: LocalSlack, text: str, thread_ts: str | None = None, channel: str = "C123"
) -> dict[str, Any]:
    """A person's message that mentions opsbot, kept in the channel, as its app_mention event."""
    message = slack.add_user_message(channel, f"<@{BOT_USER_ID}> {text}", thread_ts=thread_ts)
    return {**message, "type": "app_mention"}


def _bot_posts(slack: LocalSlack) -> list[StoredMessage]:
    """What opsbot said, as the thread shows it now (placeholders replaced by their answers)."""
    return [m for m in sorted(slack.messages.values(), key=lambda m: float(m.ts)) if m.author is None]


def _settle(running: Running) -> None:
    running.services.jobs.drain(timeout=60)


def _text(message: StoredMessage) -> str:
    return json.dumps(message.payload, ensure_ascii=False)


def _retro_thread(running: Running) -> str:
    """A channel thread where opsbot answered "复盘有哪几步?"; returns the thread's ts."""
    first = _mention(running.slack, "复盘有哪几步?")
    _send(running, first)
    _settle(running)
    assert "回顾目标" in _text(_bot_posts(running.slack)[-1])
    return str(first["ts"])


def test_a_mention_in_a_thread_follows_up_on_the_thread(running: Running) -> None:
    root = _retro_thread(running)
    _send(running, _mention(running.slack, "那第二步具体要看什么?", thread_ts=root))
    _settle(running)
    follow_up = _bot_posts(running.slack)[-1]
    assert follow_up.thread_ts == root
    assert "评估结果" in _text(follow_up)
    assert "复盘四步" in _text(follow_up)
    assert running.slack.calls_to("conversations.replies")


def test_a_plain_reply_in_a_thread_opsbot_is_in_is_answered(running: Running) -> None:
    root = _retro_thread(running)
    _send(running, running.slack.add_user_message("C123", "操作问题怎么处理?", thread_ts=root))
    _settle(running)
    reply = _bot_posts(running.slack)[-1]
    assert reply.thread_ts == root
    assert "来源" in _text(reply)
    assert "操作" in _text(reply)


def test_replies_not_meant_for_opsbot_get_no_answer(running: Running) -> None:
    root = _retro_thread(running)
    said = len(_bot_posts(running.slack))
    slack = running.slack
    _send(running, slack.add_user_message("C123", "<@U999> 复盘怎么做你来安排?", thread_ts=root))
    _send(running, slack.add_user_message("C123", "谢谢!", thread_ts=root))
    _send(running, slack.add_user_message("C123", "明天北京天气怎么样", thread_ts=root))
    _send(running, {**slack.add_user_message("C123", "复盘怎么做?", thread_ts=root), "bot_id": "B999"})
    _send(
        running,
        {**slack.add_user_message("C123", "复盘怎么做?", thread_ts=root), "subtype": "message_changed"},
    )
    _send(running, slack.add_user_message("C123", "复盘怎么做?"))  # channel chatter, not in a thread
    other = slack.add_user_message("C123", "午饭吃什么?")
    _send(
        running, slack.add_user_message("C123", "复盘怎么做?", thread_ts=str(other["ts"]))
    )  # not opsbot's thread
    _settle(running)
    assert len(_bot_posts(slack)) == said
    assert all(call.params.get("ts") == root for call in slack.calls_to("conversations.replies")), (
        "a thread opsbot never answered in is not read"
    )


def test_a_reply_that_mentions_opsbot_is_answered_once(running: Running) -> None:
    root = _retro_thread(running)
    said = len(_bot_posts(running.slack))
    mention = _mention(running.slack, "那第三步呢?", thread_ts=root)
    _send(running, {**mention, "type": "message", "channel_type": "channel"})
    _send(running, mention)
    _settle(running)
    assert len(_bot_posts(running.slack)) == said + 1
    assert "分析原因" in _text(_bot_posts(running.slack)[-1])


def test_a_direct_message_thread_is_a_conversation(running: Running) -> None:
    slack = running.slack
    first = slack.add_user_message("D123", "What are the steps of a retrospective?", channel_type="im")
    _send(running, first)
    _settle(running)
    follow = slack.add_user_message(
        "D123", "What should I look at in the second step?", thread_ts=str(first["ts"]), channel_type="im"
    )
    _send(running, follow)
    _settle(running)
    answer = _bot_posts(slack)[-1]
    assert answer.thread_ts == first["ts"]
    assert "Evaluate the result" in _text(answer)


def test_a_deleted_root_or_a_long_thread_is_answered_without_error(running: Running) -> None:
    slack = running.slack
    root = _retro_thread(running)
    for n in range(500):
        slack.add_user_message("C123", f"note {n}", thread_ts=root)
    _send(running, _mention(slack, "那最后一步呢?", thread_ts=root))
    _settle(running)
    assert "总结规律" in _text(_bot_posts(slack)[-1])
    pages = [call for call in slack.calls_to("conversations.replies") if call.params.get("ts") == root]
    assert 3 <= len(pages) <= 6  # 500 replies are read in pages of 200

    slack.delete_message("C123", root)
    said = len(_bot_posts(slack))
    _send(running, _mention(slack, "客户分层怎么做?", thread_ts=root))
    _settle(running)
    assert len(_bot_posts(slack)) == said + 1
    assert "分层" in _text(_bot_posts(slack)[-1])
