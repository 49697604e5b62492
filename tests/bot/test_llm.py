"""The OpenAI-compatible client against a local fake server (any base_url: OpenAI, DeepSeek, Ollama…)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.llm import create_llm
from bot.services import KnowledgeService
from knowledge.answer import Answerer
from tests.conftest import make_settings
from tests.fakes.openai_server import FakeOpenAI


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    yield server
    server.stop()


def test_no_endpoint_means_no_llm(tmp_path: Path) -> None:
    assert create_llm(make_settings(tmp_path)) is None


def test_chat_request_reaches_the_configured_endpoint(fake: FakeOpenAI, tmp_path: Path) -> None:
    base_url = fake.start()
    settings = make_settings(
        tmp_path,
        OPENAI_BASE_URL=base_url,
        OPENAI_API_KEY="sk-test-12345678",
        OPSBOT_LLM_MODEL="deepseek-chat",
    )
    llm = create_llm(settings)
    assert llm is not None
    assert llm([{"role": "user", "content": "hi"}]) == fake.reply
    [request] = fake.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["body"]["model"] == "deepseek-chat"
    assert request["auth"] == "Bearer sk-test-12345678"


def test_grounded_answer_end_to_end_and_fallback_on_server_error(
    fake: FakeOpenAI, tmp_path: Path, knowledge: KnowledgeService
) -> None:
    base_url = fake.start()
    llm = create_llm(make_settings(tmp_path, OPENAI_BASE_URL=base_url, OPSBOT_LLM_TIMEOUT="5"))
    answerer = Answerer(knowledge.answerer.index, llm=llm)
    answer = answerer.answer("how do I run a retrospective?")
    assert answer.method == "llm"
    assert answer.text == fake.reply
    assert "Sources:" in fake.requests[0]["body"]["messages"][1]["content"]

    fake.status = 500
    fallback = answerer.answer("how do I run a retrospective?")
    assert fallback.method == "extractive"
    assert fallback.note == "llm_unavailable"
