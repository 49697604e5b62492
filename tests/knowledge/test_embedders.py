"""How the shipped embedders use the machine's cores."""

from __future__ import annotations

import numpy as np
import pytest
from threadpoolctl import ThreadpoolController

from bot.answers.service import KnowledgeService
from knowledge.embedders import (
    LEAD_TOKENS,
    READ_WHOLE_UP_TO,
    E5Embedder,
    Relevance,
    Vectors,
    is_relevant,
    leading_part,
)


def _openmp_threads() -> int:
    return min(lib["num_threads"] for lib in ThreadpoolController().select(user_api="openmp").info())


def test_e5_embeds_a_question_on_one_thread_and_passages_on_every_core(
    knowledge: KnowledgeService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A burst of questions keeps both cores busy (the serving process, the answer process): e5's
    threads then wait for each other, so a question runs on one; passages, computed in the
    background, keep every core."""
    e5 = knowledge.answerer.index.embedders[0]
    while not isinstance(e5, E5Embedder):  # unwrap: language centering, the suite's shared vectors
        e5 = e5.base
    model = e5._model
    seen: list[int] = []

    class Recording:
        def query(self, text: str) -> Vectors:
            seen.append(_openmp_threads())
            return model.query(text)

        def passage(self, texts: list[str]) -> Vectors:
            seen.append(_openmp_threads())
            return model.passage(texts)

    usual = _openmp_threads()
    monkeypatch.setattr(e5, "_model", Recording())
    e5.embed_query("复盘怎么做?")
    e5.embed_passages(["复盘分四步。"])
    assert seen == [1, usual]
    assert _openmp_threads() == usual


def test_e5_is_given_one_passage_at_a_time_and_its_vectors_are_those_of_a_batch(
    knowledge: KnowledgeService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine runs faster on one passage per call than on a batch packed into one sequence."""
    e5 = knowledge.answerer.index.embedders[0]
    while not isinstance(e5, E5Embedder):
        e5 = e5.base
    model = e5._model
    texts = [
        "复盘分四步：回顾目标、评估结果、分析原因、总结经验。",
        "Renewal talks start 90 days ahead.",
        "短",
    ]
    calls: list[object] = []

    class Recording:
        def passage(self, given: str | list[str]) -> Vectors:
            calls.append(given)
            return model.passage(given)

    monkeypatch.setattr(e5, "_model", Recording())
    vectors = e5.embed_passages(texts)
    assert calls == texts
    batch = model.passage(texts)
    assert np.allclose(vectors, batch / np.linalg.norm(batch, axis=1, keepdims=True), atol=1e-6)


def test_e5_reads_the_longest_start_of_a_long_passage_that_fits_its_lead_tokens(
    knowledge: KnowledgeService,
) -> None:
    centered = knowledge.answerer.index.embedders[0]
    e5 = centered
    while not isinstance(e5, E5Embedder):
        e5 = e5.base
    count = e5._model.token_count
    long_zh = "续约前三个月准备使用报告，列出活跃账号、核心功能的使用次数和节省的时间。" * 8
    long_en = "Prepare the usage report three months before the renewal, with active accounts. " * 8
    for text in (long_zh, long_en):
        part = leading_part(centered, text)  # through the language centering, as the index asks
        assert part is not None and text.startswith(part)
        assert count(part) <= LEAD_TOKENS < count(text[: len(part) + 1])
    assert leading_part(centered, "复盘分四步。") is None, "a short passage is read whole"
    barely_long = "Prepare the usage report before the renewal. " * 6
    assert LEAD_TOKENS < count(barely_long) <= READ_WHOLE_UP_TO
    assert leading_part(centered, barely_long) is None, "read whole rather than twice"


def test_team_documents_have_their_own_thresholds_when_set() -> None:
    shared = Relevance(strong=0.5, weak=0.3, coverage=0.4)
    assert shared.for_passage(from_playbook=False) is shared
    documents = Relevance(strong=0.7, weak=0.3, coverage=0.6)
    split = Relevance(strong=0.5, weak=0.3, coverage=0.4, documents=documents)
    assert split.for_passage(from_playbook=True) is split
    assert split.for_passage(from_playbook=False) is documents
    assert is_relevant([0.6], 0.0, [split]) and not is_relevant([0.6], 0.0, [split], from_playbook=False)
    assert is_relevant([0.35], 0.6, [split], from_playbook=False)
    assert not is_relevant([0.35], 0.5, [split], from_playbook=False)
