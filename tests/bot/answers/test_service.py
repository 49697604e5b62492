"""The knowledge service: the index opened once per process, and ready before anyone asks."""

from __future__ import annotations

from pathlib import Path

from bot.answers.service import KnowledgeService
from knowledge import normalize
from knowledge.answer import NOT_COVERED, ChatMessages
from tests.conftest import make_settings
from tests.fakes.embedders import FastHash


def test_the_warm_up_answers_in_both_languages_without_asking_a_model(tmp_path: Path) -> None:
    """So the first person to ask does not wait for what a first answer loads (OpenCC's
    Simplified-to-Traditional converter among it), and no model is paid for it."""
    asked: list[ChatMessages] = []

    def model(messages: ChatMessages) -> str:
        asked.append(messages)
        return NOT_COVERED

    service = KnowledgeService(make_settings(tmp_path), embedders=lambda: [FastHash()], llm=model)
    normalize._to_traditional.cache_clear()
    try:
        answerer = service.warm_up()
        assert service.ready and len(answerer.index) > 0
        assert normalize._to_traditional.cache_info().currsize == 1, "a Chinese question was answered"
        assert asked == []
    finally:
        service.close()
