"""Stand-in vectors for long passages whose slow model's vector is still owed: the same model's
vector of the passage's first tokens.

A large ingest leaves e5 minutes of work. Ranked by the other models meanwhile, a new document is
found less often and less high; ranked by e5 over its first 64 tokens, nearly as well as once its
full vector is in (benchmarks/retrieval_tuning.py). Such a vector costs a third of a full one for
a passage of average length, so the first pass over a large ingest ends in about a third of the
time, and the full vectors then replace these one by one. They are searched here, in memory; the
index also stores them (`leads-<model>` collections), so a restart or another process sharing the
server ranks by them without reading the passages again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping

import numpy as np

from knowledge.embedders import Vectors
from knowledge.ranking import Ranking


class LeadVectors:
    """Chunk id → the vector of its passage's first tokens, for one embedder."""

    def __init__(self) -> None:
        self._vectors: dict[str, Vectors] = {}
        self._lock = threading.Lock()
        self._stacked: tuple[list[str], Vectors] | None = None

    def __len__(self) -> int:
        return len(self._vectors)

    def __contains__(self, chunk_id: object) -> bool:
        return chunk_id in self._vectors

    def add(self, vectors: Mapping[str, Vectors]) -> None:
        if not vectors:
            return
        with self._lock:
            self._vectors.update(vectors)
            self._stacked = None

    def discard(self, chunk_ids: Iterable[str]) -> None:
        with self._lock:
            for chunk_id in chunk_ids:
                if self._vectors.pop(chunk_id, None) is not None:
                    self._stacked = None

    def nearest(self, query: Vectors, depth: int) -> Ranking:
        """The `depth` chunks whose lead vector is closest to the (normalised) query vector, with
        their cosines, best first."""
        ids, matrix = self._matrix()
        if not ids:
            return []
        cosines = matrix @ query
        best = np.argsort(-cosines)[:depth]
        return [(ids[row], float(cosines[row])) for row in best]

    def _matrix(self) -> tuple[list[str], Vectors]:
        """The vectors as one matrix, built again only after a change: a search during a large
        first pass reads it between two of the pass's steps."""
        with self._lock:
            if self._stacked is None:
                ids = list(self._vectors)
                matrix = np.vstack([self._vectors[i] for i in ids]) if ids else np.zeros((0, 0), np.float32)
                self._stacked = (ids, matrix)
            return self._stacked


def merged(ranking: Ranking, leads: Ranking, depth: int) -> Ranking:
    """A model's ranking with the lead vectors' chunks among its own, by cosine, `depth` long."""
    return sorted([*ranking, *leads], key=lambda item: -item[1])[:depth]
