"""Drafts polished by an OpenAI-compatible server (a local fake): used when every number is one the
facts hold, thrown away otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.drafts import polish_draft
from bot.core.llm import create_llm
from tests.conftest import make_settings
from tests.fakes.openai_server import FakeOpenAI

TEMPLATE = "Active users fell 30.0% over the last 30 days, to 70 a day. Could we meet for 30 minutes?"
FACTS = {"client": "Acme", "change_pct": -30.0, "recent": 70, "meeting_minutes": 30, "days_to_renewal": 60}


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    yield server
    server.stop()


def _llm(fake: FakeOpenAI, tmp_path: Path):  # type: ignore[no-untyped-def]
    return create_llm(make_settings(tmp_path, OPENAI_BASE_URL=fake.start(), OPSBOT_LLM_TIMEOUT="5"))


def test_a_polish_that_keeps_the_numbers_is_used(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.reply = "Your renewal is 60 days away. Usage dropped 30% to 70 a day; can we talk for 30 minutes?"
    polished = polish_draft(_llm(fake, tmp_path), TEMPLATE, FACTS, "en", "a message")
    assert (polished.method, polished.text) == ("llm", fake.reply)
    prompt = fake.requests[0]["body"]["messages"]
    assert "FACTS" in prompt[1]["content"] and TEMPLATE in prompt[1]["content"]
    assert "Do not add any number" in prompt[0]["content"]


def test_a_polish_with_an_invented_number_is_rejected(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.reply = "Usage dropped 35% to 70 a day, and we can offer you 10% off if you renew now."
    polished = polish_draft(_llm(fake, tmp_path), TEMPLATE, FACTS, "en", "a message")
    assert (polished.method, polished.text, polished.rejected) == ("template", TEMPLATE, ("35%", "10%"))


def test_a_polish_in_the_wrong_language_or_a_failing_server_keeps_the_template(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    fake.reply = "您好,使用量下降了 30%。"
    assert polish_draft(_llm(fake, tmp_path), TEMPLATE, FACTS, "en", "a message").method == "template"
    fake.status = 500
    assert polish_draft(_llm(fake, tmp_path), TEMPLATE, FACTS, "en", "a message").text == TEMPLATE


def test_without_a_model_the_template_is_the_draft() -> None:
    assert polish_draft(None, TEMPLATE, FACTS, "en", "a message").method == "template"
