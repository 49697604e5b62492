"""Test embedders: deterministic and instant, for tests of index mechanics rather than quality."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from knowledge.embedders import EmbedderKind, Relevance, Vectors


class HashEmbedder:
    """Bag-of-tokens hashed into a small vector: deterministic and instant, for mechanics tests."""

    name = "test-hash"
    dimension = 64
    kind: EmbedderKind = "fast"
    relevance = Relevance(strong=0.9, weak=0.3)

    def _one(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dimension, dtype=np.float32)
        for word in text.lower().split():
            vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimension] += 1
        norm = np.linalg.norm(vector)
        return vector / norm if norm else vector

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return np.array([self._one(t) for t in texts], dtype=np.float32).reshape(len(texts), self.dimension)

    def embed_query(self, text: str) -> Vectors:
        return self._one(text)


class SlowHash(HashEmbedder):
    """Stands in for e5: a slow model, whose collection does not hold the catalog."""

    name = "test-slow"
    kind: EmbedderKind = "slow"


class SlowHashReadingLeads(SlowHash):
    """A slow model that reads a long passage's first words for a stand-in vector, as e5 does its
    first tokens; records what it embedded."""

    LEAD_WORDS = 6

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def leading_part(self, text: str) -> str | None:
        words = text.split()
        return " ".join(words[: self.LEAD_WORDS]) if len(words) > self.LEAD_WORDS else None

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        self.embedded += texts
        return super().embed_passages(texts)


class SlowHashAsFirst(SlowHash):
    """The same collection as the catalog of an index written before the catalog moved."""

    kind: EmbedderKind = "fast"


class FastHash(HashEmbedder):
    name = "test-fast"

    def __init__(self) -> None:
        self.embedded = 0

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        self.embedded += len(texts)
        return super().embed_passages(texts)
