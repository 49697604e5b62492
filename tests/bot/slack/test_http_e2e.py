"""End to end over HTTP: signed requests into the real Bolt app, replies observed at a loopback Slack API."""

from __future__ import annotations

import json
import time
import urllib.request
from types import SimpleNamespace

from bot.core.llm import create_llm
from bot.local.slack_api import BOT_USER_ID, LocalSlack
from knowledge.answer import Answerer
from tests.bot.conftest import Running
from tests.conftest import SIGNING_SECRET, make_settings
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_requests import post, send_command, send_event, signed_headers


def _mention(text: str, ts: str = "1700000001.000100", channel: str = "C123") -> dict:  # type: ignore[type-arg]
    return {"type": "app_mention", "user": "U123", "text": text, "ts": ts, "channel": channel}


def _dm(text: str, ts: str = "1700000002.000100") -> dict:  # type: ignore[type-arg]
    return {
        "type": "message",
        "channel_type": "im",
        "user": "U123",
        "text": text,
        "ts": ts,
        "channel": "D123",
    }


def _answers(slack: LocalSlack) -> list[dict]:  # type: ignore[type-arg]
    return [call.params for call in slack.calls_to("chat.update")]


def _wait_answers(slack: LocalSlack, count: int = 1) -> list[dict]:  # type: ignore[type-arg]
    assert slack.wait_for(lambda s: len(s.calls_to("chat.update")) >= count, timeout=60)
    return _answers(slack)


def _all_text(params: dict) -> str:  # type: ignore[type-arg]
    return json.dumps(params, ensure_ascii=False)


def test_mention_is_answered_in_the_thread_with_sources(running: Running) -> None:
    status = send_event(
        running.events_url, SIGNING_SECRET, _mention(f"<@{BOT_USER_ID}> how do I run a retrospective?"), "Ev1"
    )
    assert status == 200
    [answer] = _wait_answers(running.slack)
    [placeholder] = running.slack.calls_to("chat.postMessage")
    assert placeholder.params["thread_ts"] == "1700000001.000100"
    assert placeholder.params["channel"] == "C123"
    assert answer["channel"] == "C123"
    text = _all_text(answer)
    assert "Sources" in text
    assert "retrospective" in text.lower()
    assert "[1]" in text


def test_direct_message_in_chinese_gets_a_chinese_answer(running: Running) -> None:
    assert send_event(running.events_url, SIGNING_SECRET, _dm("复盘分哪几步?"), "Ev2") == 200
    [answer] = _wait_answers(running.slack)
    text = _all_text(answer)
    assert "来源" in text
    assert "回顾目标" in text


def test_redelivered_event_is_answered_once(running: Running) -> None:
    event = _mention(f"<@{BOT_USER_ID}> what is RFM?")
    assert send_event(running.events_url, SIGNING_SECRET, event, "Ev3") == 200
    assert send_event(running.events_url, SIGNING_SECRET, event, "Ev3", retry=1) == 200
    _wait_answers(running.slack)
    running.services.jobs.drain(timeout=30)
    assert len(running.slack.calls_to("chat.postMessage")) == 1
    assert len(running.slack.calls_to("chat.update")) == 1


def test_a_mention_is_not_answered_again_as_a_message(running: Running) -> None:
    mention = _mention(f"<@{BOT_USER_ID}> what is RFM?", ts="1700000005.000100", channel="D123")
    assert send_event(running.events_url, SIGNING_SECRET, mention, "Ev4") == 200
    message = _dm(f"<@{BOT_USER_ID}> what is RFM?", ts="1700000005.000100")
    assert send_event(running.events_url, SIGNING_SECRET, message, "Ev5") == 200
    _wait_answers(running.slack)
    running.services.jobs.drain(timeout=30)
    assert len(running.slack.calls_to("chat.postMessage")) == 1


def test_bot_messages_and_edits_are_not_questions(running: Running) -> None:
    bot_message = {**_dm("hello"), "bot_id": "B999"}
    edited = {**_dm("hello", ts="1700000009.000100"), "subtype": "message_changed"}
    assert send_event(running.events_url, SIGNING_SECRET, bot_message, "Ev6") == 200
    assert send_event(running.events_url, SIGNING_SECRET, edited, "Ev7") == 200
    running.services.jobs.drain(timeout=30)
    assert running.slack.calls_to("chat.postMessage") == []


def test_forged_or_stale_signatures_are_refused(running: Running) -> None:
    body = json.dumps({"type": "event_callback", "event_id": "Ev8", "event": _mention("hi")})
    forged = signed_headers(body, "not-the-secret")
    assert post(running.events_url, body, forged, "application/json")[0] == 401
    stale = signed_headers(body, SIGNING_SECRET, timestamp=int(time.time()) - 60 * 10)
    assert post(running.events_url, body, stale, "application/json")[0] == 401
    running.services.jobs.drain(timeout=5)
    assert running.slack.calls_to("chat.postMessage") == []


def test_off_topic_question_says_why_there_is_no_answer(running: Running) -> None:
    assert send_event(running.events_url, SIGNING_SECRET, _dm("红烧肉怎么做?"), "Ev9") == 200
    [answer] = _wait_answers(running.slack)
    text = _all_text(answer)
    assert "没有找到" in text
    assert "/ops help" in text


def test_empty_mention_gets_a_hint(running: Running) -> None:
    assert send_event(running.events_url, SIGNING_SECRET, _mention(f"<@{BOT_USER_ID}>"), "Ev10") == 200
    running.services.jobs.drain(timeout=30)
    [hint] = running.slack.calls_to("chat.postMessage")
    assert "/ops help" in hint.params["text"]


def test_rate_limited_web_api_calls_are_retried(running: Running) -> None:
    running.slack.fail_next("chat.postMessage", 429, retry_after=1)
    running.slack.fail_next("chat.update", 503)
    assert send_event(running.events_url, SIGNING_SECRET, _dm("what is RFM?"), "Ev11") == 200
    assert running.slack.wait_for(lambda s: len(s.calls_to("chat.update")) == 2, timeout=60)
    assert running.services.jobs.drain(timeout=30)
    assert len(running.slack.calls_to("chat.postMessage")) == 2
    assert len(running.slack.calls_to("chat.update")) == 2


def test_ops_help_acks_with_the_help(running: Running) -> None:
    status, body = send_command(
        running.events_url, SIGNING_SECRET, "/ops", "help", running.slack.response_url("r")
    )
    assert status == 200
    assert "/ops ask" in body


def test_ops_ask_acks_then_answers_through_the_response_url(running: Running) -> None:
    status, body = send_command(
        running.events_url, SIGNING_SECRET, "/ops", "ask 客户分层有哪几层?", running.slack.response_url("r1")
    )
    assert status == 200
    assert "正在查找" in json.loads(body)["text"]
    assert running.slack.wait_for(lambda s: len(s.responses) == 1, timeout=60)
    [response] = running.slack.responses
    assert response["replace_original"] is True
    assert response["response_type"] == "ephemeral"
    assert "来源" in _all_text(response)


def test_free_text_after_ops_is_a_question(running: Running) -> None:
    status, _ = send_command(
        running.events_url, SIGNING_SECRET, "/ops", "how do I tier clients?", running.slack.response_url("r2")
    )
    assert status == 200
    assert running.slack.wait_for(lambda s: len(s.responses) == 1, timeout=60)
    assert "Sources" in _all_text(running.slack.responses[0])


def test_funnel_acks_with_the_table(running: Running) -> None:
    text = "500万 销售 / 5% 客户 / 80% 下载 假如 5%->6%"
    status, body = send_command(running.events_url, SIGNING_SECRET, "/funnel", text, "")
    assert status == 200
    blocks = json.loads(body)["blocks"]
    assert "1.25亿" in blocks[0]["text"]["text"]
    assert "假如 5% → 6%" in blocks[-1]["text"]["text"]


def test_funnel_explains_bad_input_with_an_example(running: Running) -> None:
    status, body = send_command(
        running.events_url, SIGNING_SECRET, "/funnel", "500w sales / 120% <!here>", ""
    )
    assert status == 200
    text = json.loads(body)["text"]
    assert "100%" in text and "Example: 500w sales / 5% customers / 80% downloads" in text
    assert "<!here>" not in body


def test_healthz_is_ok_once_the_index_is_ready(running: Running) -> None:
    with urllib.request.urlopen(f"{running.url}/healthz", timeout=10) as response:
        assert response.status == 200
        assert json.loads(response.read()) == {"status": "ok", "database": "ok"}


def test_injected_broadcasts_and_links_are_escaped(running: Running) -> None:
    fake = FakeOpenAI(reply="<!channel> see <https://evil.example|the real docs> @here now [1]")
    base_url = fake.start()
    try:
        llm_settings = make_settings(running.services.settings.home, OPENAI_BASE_URL=base_url)
        index = running.services.knowledge.answerer.index
        running.services.knowledge = SimpleNamespace(  # type: ignore[assignment]
            answer=Answerer(index, llm=create_llm(llm_settings)).answer, ready=True, close=lambda: None
        )
        question = "<!everyone> how do I run a retrospective?"
        assert send_event(running.events_url, SIGNING_SECRET, _dm(question), "Ev12") == 200
        [answer] = _wait_answers(running.slack)
    finally:
        fake.stop()
    text = _all_text(answer)
    for forbidden in ("<!channel>", "<!here>", "<!everyone>", "<https://evil.example", "@here"):
        assert forbidden not in text
    assert "&lt;!channel&gt;" in text


def test_a_deleted_placeholder_does_not_lose_the_answer(running: Running) -> None:
    running.slack.fail_next("chat.update", 200, error="message_not_found")
    assert send_event(running.events_url, SIGNING_SECRET, _dm("what is RFM?"), "Ev13") == 200
    assert running.slack.wait_for(lambda s: len(s.calls_to("chat.postMessage")) == 2, timeout=60)
    answer = running.slack.calls_to("chat.postMessage")[1].params
    assert answer["thread_ts"] == "1700000002.000100"
    assert "Sources" in _all_text(answer)
