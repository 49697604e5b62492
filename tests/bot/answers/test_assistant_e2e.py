"""Slack's assistant surface, end to end: prompts when a thread starts, a loading status instead of
a placeholder, a title from the first question, and the plain DM behaviour where Slack offers none."""

from __future__ import annotations

import json
from typing import Any

from tests.bot.conftest import Running
from tests.conftest import SIGNING_SECRET
from tests.fakes.slack_requests import send_event


def _send(running: Running, event: dict[str, Any], event_id: str) -> None:
    assert send_event(running.events_url, SIGNING_SECRET, event, event_id) == 200
    running.services.jobs.drain(timeout=60)


def _thread_started(user: str = "U123") -> dict[str, Any]:
    return {
        "type": "assistant_thread_started",
        "assistant_thread": {
            "user_id": user,
            "channel_id": "D123",
            "thread_ts": "1700000000.000001",
            "context": {},
        },
        "event_ts": "1700000000.000002",
    }


def test_a_new_assistant_thread_gets_prompts_in_the_persons_language(running: Running) -> None:
    running.slack.user_locales["U123"] = "zh-CN"
    _send(running, _thread_started(), "EvAssist1")
    [prompts] = running.slack.calls_to("assistant.threads.setSuggestedPrompts")
    assert prompts.params["channel_id"] == "D123" and prompts.params["thread_ts"] == "1700000000.000001"
    titles = [p["title"] for p in prompts.params["prompts"]]
    assert "复盘怎么做?" in titles and any("/funnel" in p["message"] for p in prompts.params["prompts"])
    [greeting] = running.slack.calls_to("chat.postMessage")
    assert greeting.params["thread_ts"] == "1700000000.000001" and "opsbot" in greeting.params["text"]


def test_the_loading_status_stands_in_for_the_placeholder_and_the_thread_gets_a_title(
    running: Running,
) -> None:
    slack = running.slack
    root = slack.add_user_message("D123", "hello", channel_type="im")  # the thread's start
    question = slack.add_user_message("D123", "复盘有哪几步?", thread_ts=str(root["ts"]), channel_type="im")
    slack.calls.clear()
    _send(running, question, "EvAssist2")
    [status] = slack.calls_to("assistant.threads.setStatus")
    assert status.params["loading_messages"] and status.params["thread_ts"] == root["ts"]
    [title] = slack.calls_to("assistant.threads.setTitle")
    assert title.params["title"] == "复盘有哪几步?"
    assert not slack.calls_to("chat.update"), "no placeholder to replace"
    [answer] = slack.calls_to("chat.postMessage")
    assert "回顾目标" in json.dumps(answer.params, ensure_ascii=False)


def test_where_slack_offers_no_status_the_placeholder_is_used(running: Running) -> None:
    slack = running.slack
    root = slack.add_user_message("D123", "hello", channel_type="im")
    slack.fail_next("assistant.threads.setStatus", 200, error="not_allowed_token_type")
    _send(
        running,
        slack.add_user_message("D123", "RFM 是什么?", thread_ts=str(root["ts"]), channel_type="im"),
        "EvAssist3",
    )
    [update] = slack.calls_to("chat.update")
    assert "RFM" in json.dumps(update.params, ensure_ascii=False)


def test_a_funnel_typed_in_a_dm_gets_the_funnel_table(running: Running) -> None:
    slack = running.slack
    _send(
        running,
        slack.add_user_message("D123", "/funnel 500w sales / 5% customers", channel_type="im"),
        "EvAssist4",
    )
    [table] = slack.calls_to("chat.postMessage")
    assert "100,000,000" in json.dumps(table.params)
    _send(running, slack.add_user_message("D123", "漏斗拆解怎么做?", channel_type="im"), "EvAssist5")
    assert "100,000,000" not in json.dumps(slack.calls_to("chat.update")[-1].params), (
        "a question, not a funnel"
    )
