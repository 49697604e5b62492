"""A question translated by the model into the other language, only ever to be searched again."""

from __future__ import annotations

import logging

import pytest

from knowledge.chat import ChatMessages, LLMCall
from knowledge.translation import other_language, translated_question, translation_messages

QUESTION = "when does a normal ticket have to be resolved"


def _model(reply: str | Exception, asked: list[ChatMessages] | None = None) -> LLMCall:
    def model(messages: ChatMessages) -> str:
        if asked is not None:
            asked.append(messages)
        if isinstance(reply, Exception):
            raise reply
        return reply

    return model


def test_the_model_is_asked_for_the_question_alone_in_the_other_language() -> None:
    asked: list[ChatMessages] = []
    assert translated_question(_model("一般工单多久要解决?", asked), QUESTION, "zh") == "一般工单多久要解决?"
    system, user = asked[0]
    assert "Simplified Chinese" in system["content"] and user == {"role": "user", "content": QUESTION}
    assert "English" in translation_messages("工单多久解决", "en")[0]["content"]
    assert (other_language("zh"), other_language("en")) == ("en", "zh")


@pytest.mark.parametrize(
    "reply",
    [
        '"一般工单多久要解决?"',
        "\n「一般工单多久要解决?」\n",
        "一般工单多久要解决?\n(Translated from English.)",
    ],
)
def test_quotes_blank_lines_and_a_note_after_the_translation_are_left_out(reply: str) -> None:
    assert translated_question(_model(reply), QUESTION, "zh") == "一般工单多久要解决?"


@pytest.mark.parametrize(
    "reply",
    [
        "",
        "  \n ",
        "🙂",
        QUESTION,  # not translated
        "Sure! Here is the translation.",  # the wrong language: not what was asked
        "工单" * 400,  # far longer than any question's translation
    ],
)
def test_a_reply_that_is_no_translation_is_not_used(reply: str) -> None:
    assert translated_question(_model(reply), QUESTION, "zh") is None


def test_a_failing_model_leaves_the_question_untranslated_and_logs_no_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    assert translated_question(_model(TimeoutError(f"timed out on {QUESTION}")), QUESTION, "zh") is None
    assert "TimeoutError" in caplog.text and QUESTION not in caplog.text
