"""The test set-up CI's server runs depend on (tests/conftest.py): which Chroma server each test
process empties, and passage vectors shared between test processes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from knowledge.embedders import Vectors
from tests.conftest import SharedVectors, _chroma_test_url
from tests.fakes.embedders import HashEmbedder


class CountingEmbedder(HashEmbedder):
    """Remembers every passage it was asked to embed."""

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        self.embedded.extend(texts)
        return super().embed_passages(texts)


def test_each_xdist_worker_takes_its_own_chroma_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSBOT_TEST_CHROMA_URL", "http://127.0.0.1:1, http://127.0.0.1:2")
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    assert _chroma_test_url() == "http://127.0.0.1:1"
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    assert _chroma_test_url() == "http://127.0.0.1:2"
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw2")
    with pytest.raises(pytest.UsageError, match="names 2 server"):
        _chroma_test_url()
    monkeypatch.setenv("OPSBOT_TEST_CHROMA_URL", "")
    assert _chroma_test_url() is None


def test_passages_are_embedded_once_for_every_process_sharing_the_directory(tmp_path: Path) -> None:
    first_model, second_model = CountingEmbedder(), CountingEmbedder()
    first, second = SharedVectors(first_model, tmp_path), SharedVectors(second_model, tmp_path)
    texts = ["renewal discount ladder", "kickoff call", "renewal discount ladder"]

    vectors = first.embed_passages(texts)
    assert first_model.embedded == ["renewal discount ladder", "kickoff call"]
    np.testing.assert_array_equal(vectors, HashEmbedder().embed_passages(texts))

    again = second.embed_passages(["kickoff call", "quarterly review"])
    assert second_model.embedded == ["quarterly review"], "only the text nobody embedded yet"
    np.testing.assert_array_equal(again, HashEmbedder().embed_passages(["kickoff call", "quarterly review"]))
    assert first.embed_passages(["quarterly review"]).shape == (1, first.dimension)
    assert first_model.embedded == ["renewal discount ladder", "kickoff call"]
    assert first.embed_passages([]).shape == (0, first.dimension)
    assert first.embed_query("kickoff").shape == (first.dimension,)
    assert (first.name, first.relevance) == (first_model.name, first_model.relevance)
