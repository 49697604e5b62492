"""An in-memory BM25 index over pre-tokenized chunks, so exact terms (KA, 复盘, RFM) are never missed."""

from __future__ import annotations

import heapq
import math
import threading
from collections import Counter, defaultdict


class BM25Index:
    """Okapi BM25 with an inverted index; add and remove are cheap so ingestion can be incremental."""

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self._postings: dict[str, dict[str, int]] = defaultdict(dict)
        self._lengths: dict[str, int] = {}
        self._terms: dict[str, tuple[str, ...]] = {}
        self._total_length = 0
        self._norms: dict[str, float] | None = None
        """Per-document length normalization, rebuilt on the first search after a change."""
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return len(self._lengths)

    def add(self, doc_id: str, tokens: list[str]) -> None:
        with self._lock:
            if doc_id in self._lengths:
                self.remove(doc_id)
            counts = Counter(tokens)
            for term, count in counts.items():
                self._postings[term][doc_id] = count
            self._terms[doc_id] = tuple(counts)
            self._lengths[doc_id] = len(tokens)
            self._total_length += len(tokens)
            self._norms = None

    def remove(self, doc_id: str) -> None:
        with self._lock:
            if doc_id not in self._lengths:
                return
            for term in self._terms.pop(doc_id):
                postings = self._postings[term]
                postings.pop(doc_id, None)
                if not postings:
                    del self._postings[term]
            self._total_length -= self._lengths.pop(doc_id)
            self._norms = None

    def coverage(self, query_tokens: list[str], doc_id: str) -> float:
        """Share of the query's IDF weight that `doc_id` contains: 1.0 means every term is there."""
        with self._lock:
            count = max(1, len(self._lengths))
            total = matched = 0.0
            for term in dict.fromkeys(query_tokens):
                postings = self._postings.get(term, {})
                idf = math.log(1 + (count - len(postings) + 0.5) / (len(postings) + 0.5))
                total += idf
                if doc_id in postings:
                    matched += idf
            return matched / total if total else 0.0

    def containing(self, tokens: list[str]) -> set[str]:
        """The documents that hold every one of `tokens` (none when `tokens` is empty)."""
        with self._lock:
            postings = [set(self._postings.get(token, ())) for token in dict.fromkeys(tokens)]
        return set.intersection(*postings) if postings else set()

    def search(self, query_tokens: list[str], limit: int) -> list[tuple[str, float]]:
        """Best `limit` (doc id, score) pairs; a repeated query term counts once."""
        with self._lock:
            count = len(self._lengths)
            if count == 0:
                return []
            norms = self._length_norms()
            k1 = self.k1
            scores: dict[str, float] = defaultdict(float)
            for term in dict.fromkeys(query_tokens):
                postings = self._postings.get(term)
                if not postings:
                    continue
                idf = math.log(1 + (count - len(postings) + 0.5) / (len(postings) + 0.5)) * (k1 + 1)
                for doc_id, frequency in postings.items():
                    scores[doc_id] += idf * frequency / (frequency + norms[doc_id])
        return heapq.nsmallest(limit, scores.items(), key=lambda item: (-item[1], item[0]))

    def _length_norms(self) -> dict[str, float]:
        """k1 · (1 − b + b · length / average length) per document, cached between changes."""
        if self._norms is None:
            average = self._total_length / max(1, len(self._lengths))
            k1, b = self.k1, self.b
            self._norms = {
                doc_id: k1 * (1 - b + b * length / average) for doc_id, length in self._lengths.items()
            }
        return self._norms
