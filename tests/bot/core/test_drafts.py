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


def test_an_offer_the_template_did_not_make_never_reaches_the_client(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    """The reported case: 30 is in the facts (a window, a meeting), but not as a percentage."""
    fake.reply = (
        "Active users fell 30.0% over the last 30 days, to 70 a day. "
        "If you sign this week we can also give you 30% off. Could we meet for 30 minutes?"
    )
    polished = polish_draft(_llm(fake, tmp_path), TEMPLATE, FACTS, "en", "a message")
    assert (polished.method, polished.text) == ("template", TEMPLATE)
    assert polished.rejected == ("If you sign this week we can also give you 30% off.",)
    fake.reply = (
        "Active users fell 30.0% in 30 days, to 70 a day; renew and the setup is free. Meet for 30 minutes?"
    )
    polished = polish_draft(_llm(fake, tmp_path), TEMPLATE, FACTS, "en", "a message")
    assert (polished.method, polished.rejected) == ("template", ("renew and the setup is free.",))


def test_a_direction_the_facts_do_not_hold_is_rejected(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.reply = "Active users rose 30.0% over the last 30 days, to 70 a day. Could we meet for 30 minutes?"
    polished = polish_draft(_llm(fake, tmp_path), TEMPLATE, FACTS, "en", "a message")
    assert (polished.method, polished.rejected) == ("template", ("30.0%",))
