"""The optional LLM categorizer: structured output from an OpenAI-compatible server, and the
offline fallback on any failure."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.llm import create_structured_llm
from bot.feedback.service import FeedbackService
from bot.storage.engine import create_db_engine
from bot.storage.feedback import FeedbackStore, NewFeedback
from skills.feedback_classifier import FeedbackClassifier
from tests.conftest import db_url_for, make_settings
from tests.fakes.openai_server import FakeOpenAI


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    yield server
    server.stop()


def _service(fake: FakeOpenAI, tmp_path: Path, classifier: FeedbackClassifier) -> FeedbackService:
    settings = make_settings(tmp_path, OPENAI_BASE_URL=fake.start(), OPSBOT_LLM_TIMEOUT="5")
    store = FeedbackStore(create_db_engine(db_url_for(tmp_path)))
    return FeedbackService(store, create_structured_llm(settings), base=classifier.fork)


def test_the_llm_answers_with_the_schema_and_its_category_is_used(
    fake: FakeOpenAI, tmp_path: Path, feedback_classifier: FeedbackClassifier
) -> None:
    fake.reply = json.dumps(
        {"category": "complaint", "confidence": 0.7, "deciding_words": ["nobody", "made up"]}
    )
    service = _service(fake, tmp_path, feedback_classifier)
    result = service.classify("nobody answered our ticket")
    assert (result.category, result.method, result.deciding_words) == ("complaint", "llm", ("nobody",))
    body = fake.requests[0]["body"]
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"]["properties"]["category"]["enum"]


@pytest.mark.parametrize(
    "reply",
    ["not json at all", '{"category": "rant", "confidence": 0.5}', '{"category": "bug", "confidence": 7}'],
)
def test_a_reply_that_does_not_validate_falls_back_offline(
    fake: FakeOpenAI, tmp_path: Path, feedback_classifier: FeedbackClassifier, reply: str
) -> None:
    fake.reply = reply
    result = _service(fake, tmp_path, feedback_classifier).classify("导出报表一直报错500")
    assert (result.category, result.method) == ("bug", "offline")


def test_a_server_error_falls_back_offline_and_refine_keeps_the_item(
    fake: FakeOpenAI, tmp_path: Path, feedback_classifier: FeedbackClassifier
) -> None:
    fake.status = 500
    service = _service(fake, tmp_path, feedback_classifier)
    service.offline()
    filed = service.file(NewFeedback("k", "导出报表一直报错500", "U1", "U1", "cli", "zh"))
    assert service.complete(filed.item).category == "bug"
    fake.status = 200
    fake.reply = json.dumps({"category": "complaint", "confidence": 0.9, "deciding_words": []})
    refined = service.complete(filed.item)
    assert (refined.category, refined.method) == ("complaint", "llm")
