"""Streamed LLM answers, end to end: a fake OpenAI-compatible server streams tokens (SSE) into the
real app, which streams them into the loopback Slack and then replaces the stream with the checked
answer, its sources and its 👍/👎."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from bot.answers.streaming import BackedText, SafeText
from bot.core.llm import create_llm, create_llm_stream
from bot.local.slack_api import BOT_USER_ID, streamed_text
from knowledge.answer import NOT_COVERED
from tests.bot.conftest import Running
from tests.conftest import SIGNING_SECRET, make_settings
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_requests import send_command, send_event


@pytest.fixture
def model(running: Running) -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI()
    base_url = fake.start()
    settings = make_settings(running.services.settings.home, OPENAI_BASE_URL=base_url)
    running.services.llm_stream = create_llm_stream(settings)
    yield fake
    fake.stop()


def _mention(running: Running, text: str, event_id: str) -> None:
    event = running.slack.add_user_message("C123", f"<@{BOT_USER_ID}> {text}")
    event = {**event, "type": "app_mention", "team": "TLOCAL"}
    assert send_event(running.events_url, SIGNING_SECRET, event, event_id) == 200
    running.services.jobs.drain(timeout=60)


def test_an_answer_streams_then_carries_its_sources_and_buttons(running: Running, model: FakeOpenAI) -> None:
    model.reply = (
        "A retrospective has **four steps**: review the goal, evaluate the result, analyse, summarize [1]."
    )
    _mention(running, "How do I run a retrospective?", "EvStream1")
    slack = running.slack
    [start] = slack.calls_to("chat.startStream")
    assert start.params["thread_ts"] and start.params["recipient_user_id"] == "U123"
    assert start.params["recipient_team_id"] == "TLOCAL"
    calls = [start, *slack.calls_to("chat.appendStream"), *slack.calls_to("chat.stopStream")]
    assert "".join(streamed_text(call.params) for call in calls) == model.reply
    assert len(calls) >= 3, "streamed in pieces, not whole"
    [final] = slack.calls_to("chat.update")
    text = json.dumps(final.params, ensure_ascii=False)
    assert "**four steps**" in text and "Sources" in text and "feedback_buttons" in text
    assert running.services.answers.stats().answered == 1
    assert model.requests[-1]["body"]["stream"] is True


def test_a_streamed_answer_that_cites_nothing_is_replaced_by_the_offline_one(
    running: Running, model: FakeOpenAI
) -> None:
    model.reply = "Retrospectives are great, trust me."
    _mention(running, "How do I run a retrospective?", "EvStream2")
    [final] = running.slack.calls_to("chat.update")
    text = json.dumps(final.params, ensure_ascii=False)
    assert "Trust me" not in text and "trust me" not in text
    assert "Review the goal" in text, "the offline answer from the playbook"


def test_a_number_the_sources_do_not_give_is_never_on_screen(running: Running, model: FakeOpenAI) -> None:
    model.reply = (
        "Start with the goal you set [1]. Then compare it with the result: 37% of teams skip this [1]. "
        "Finally, write down what to keep."
    )
    _mention(running, "How do I run a retrospective?", "EvStream6")
    slack = running.slack
    calls = [*slack.calls_to("chat.startStream"), *slack.calls_to("chat.appendStream")]
    calls += slack.calls_to("chat.stopStream")
    shown = "".join(streamed_text(call.params) for call in calls)
    assert shown.startswith("Start with the goal you set [1]."), "text before the number still streams"
    assert "37" not in shown and "Finally" not in shown
    [final] = slack.calls_to("chat.update")
    text = json.dumps(final.params, ensure_ascii=False)
    assert "37%" not in text and "Review the goal" in text, "the offline answer replaces it"


def test_a_model_that_fails_mid_stream_gives_the_offline_answer(running: Running, model: FakeOpenAI) -> None:
    model.reply = "A retrospective has four steps [1] and then some more words here."
    model.fail_after_tokens = 3
    _mention(running, "How do I run a retrospective?", "EvStream3")
    [final] = running.slack.calls_to("chat.update")
    assert "Review the goal" in json.dumps(final.params, ensure_ascii=False)


def test_nothing_relevant_is_never_streamed_and_slash_commands_do_not_stream(
    running: Running, model: FakeOpenAI
) -> None:
    event = running.slack.add_user_message("C123", f"<@{BOT_USER_ID}> 红烧肉怎么做?")
    assert (
        send_event(running.events_url, SIGNING_SECRET, {**event, "type": "app_mention"}, "EvStream4") == 200
    )
    running.services.jobs.drain(timeout=60)
    assert not running.slack.calls_to("chat.startStream") and not model.requests
    status, _ = send_command(
        running.events_url, SIGNING_SECRET, "/ops", "ask what is RFM?", running.slack.response_url("ask")
    )
    assert status == 200
    running.services.jobs.drain(timeout=60)
    assert not running.slack.calls_to("chat.startStream")


ONBOARDING_NOTE = """# New hire onboarding

## First week

In their first week a new teammate shadows two customer calls and gets access to the CRM.
"""


def test_sections_only_near_the_question_are_given_to_the_model_which_may_answer_or_refuse(
    running: Running, model: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gate refuses a Chinese question about an English team note; the model reads the note."""
    knowledge = running.services.knowledge
    source = "docs/team/onboarding.md"
    knowledge.ingest(source, "onboarding.md", ONBOARDING_NOTE.encode("utf-8"))
    monkeypatch.setattr(knowledge.answerer, "llm", lambda messages: "")  # as when a model is configured
    slack = running.slack
    try:
        model.reply = "新同事第一周旁听两次客户电话，并开通CRM权限 [1]。"
        _mention(running, "新同事入职第一周要做什么?", "EvStream7")
        assert slack.calls_to("chat.startStream"), "streamed"
        final = json.dumps(slack.calls_to("chat.update")[-1].params, ensure_ascii=False)
        assert "旁听两次客户电话" in final and "onboarding" in final.lower()

        model.reply = NOT_COVERED
        _mention(running, "新同事入职第一周要做什么?", "EvStream8")
        final = json.dumps(slack.calls_to("chat.update")[-1].params, ensure_ascii=False)
        assert "没有覆盖" in final and "onboarding" in final.lower() and NOT_COVERED not in final
    finally:
        knowledge.forget(source)


TICKET_SOP = """# 客户成功 SOP

## 工单响应时限

紧急工单 15 分钟内响应；一般工单 2 小时内响应、2 个工作日内解决。
"""


def test_a_question_in_english_is_answered_from_a_chinese_team_document_through_its_translation(
    running: Running, model: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refused in English, the question is translated by the model, found in the Chinese SOP by its
    words, and the answer streams in English with the SOP as its source."""
    knowledge = running.services.knowledge
    source = "docs/team/ticket-sop.md"
    knowledge.ingest(source, "ticket-sop.md", TICKET_SOP.encode("utf-8"))
    settings = make_settings(running.services.settings.home, OPENAI_BASE_URL=model.url)
    monkeypatch.setattr(knowledge.answerer, "llm", create_llm(settings))
    try:
        model.whole_reply = "一般工单多久要解决?"
        model.reply = "A normal ticket must be resolved within 2 working days [1]."
        _mention(running, "when does a normal ticket have to be resolved", "EvStream9")
        final = json.dumps(running.slack.calls_to("chat.update")[-1].params, ensure_ascii=False)
        assert model.reply in final and "客户成功 SOP" in final
        translation, answer = (request["body"] for request in model.requests[-2:])
        assert "Simplified Chinese" in translation["messages"][0]["content"] and not translation.get("stream")
        assert translation["messages"][1]["content"] == "when does a normal ticket have to be resolved"
        assert answer["stream"] is True and "2 个工作日内解决" in json.dumps(answer, ensure_ascii=False)
    finally:
        knowledge.forget(source)


def test_slack_without_streaming_gets_the_answer_whole(running: Running, model: FakeOpenAI) -> None:
    running.slack.fail_next("chat.startStream", 200, error="unknown_method")
    model.reply = "Score recency, frequency and monetary value [1]."
    event = running.slack.add_user_message("C123", f"<@{BOT_USER_ID}> what is RFM?")
    assert (
        send_event(running.events_url, SIGNING_SECRET, {**event, "type": "app_mention"}, "EvStream5") == 200
    )
    running.services.jobs.drain(timeout=60)
    [posted] = running.slack.calls_to("chat.postMessage")
    assert "recency" in json.dumps(posted.params)


def test_broadcasts_split_across_tokens_and_not_covered_never_show() -> None:
    safe = SafeText()
    shown = (
        "".join(safe.feed(token) for token in ["Ask ", "@cha", "nnel", " now <", "!here> [1]"]) + safe.close()
    )
    assert "@channel" not in shown and "<!here>" not in shown and "&lt;!here&gt;" in shown
    quiet = SafeText()
    assert "".join(quiet.feed(t) for t in ["NOT", "_COV", "ERED"]) + quiet.close() == ""


def test_numbers_stream_once_their_sentence_is_complete_and_backed() -> None:
    backed = BackedText(("Sales fell 12% to 1250w.",))
    tokens = ["Sales ", "fell 1", "2% to 12", "50w [1", "].", " Then ", "it grew 3", "0% [2]. More."]
    released = [backed.feed(token) for token in tokens]
    assert released[:2] == ["Sales ", "fell "], "prose streams as it comes"
    assert released[2:5] == ["", "", ""], "a number waits for its sentence to end"
    assert released[5] == "12% to 1250w [1]. Then "
    assert "".join(released[6:]) + backed.close() == "it grew ", "nothing from an unbacked number on"
    assert backed.unbacked
    rose = BackedText(("Sales fell 12%.",))
    assert rose.feed("Sales rose 12%") == "Sales rose " and rose.close() == "" and rose.unbacked
    marks = BackedText(())
    assert marks.feed("Score all three [1") == "Score all three " and marks.feed("][2] now") == "[1][2] now"
    assert marks.close() == "" and not marks.unbacked
