"""Near-duplicate passages across documents: the same article pasted twice, once converted.

MinHash over character 4-grams of the normalized text (so script, spacing and punctuation do not
matter), with locality-sensitive bands to find candidates without comparing every pair.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict

import numpy as np

SHINGLE = 4
PERMUTATIONS = 64
BANDS = 16
ROWS = PERMUTATIONS // BANDS
SIMILARITY = 0.7
"""Estimated Jaccard similarity at which two passages count as one: edits, a different header or
footer, or a converter's leftovers still match; two passages on the same topic do not."""
MIN_CHARS = 40
"""Shorter passages (a heading, a one-line list item) are too short to call duplicates."""

_PRIME = (1 << 61) - 1
_rng = np.random.default_rng(20240601)
_A = _rng.integers(1, _PRIME, size=PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, _PRIME, size=PERMUTATIONS, dtype=np.uint64)
_NOT_CONTENT = re.compile(r"[\W_]+", re.UNICODE)


def signature(text: str) -> np.ndarray | None:
    """64 minimum hashes of the text's 4-grams, or None when the text is too short to compare."""
    compact = _NOT_CONTENT.sub("", text.lower())
    if len(compact) < MIN_CHARS:
        return None
    shingles = {compact[i : i + SHINGLE] for i in range(len(compact) - SHINGLE + 1)}
    hashes = np.fromiter((zlib.crc32(s.encode("utf-8")) for s in shingles), dtype=np.uint64)
    # a·x + b wraps modulo 2^64 before the mod p: still a random-enough permutation for MinHash.
    permuted = (hashes[:, None] * _A[None, :] + _B[None, :]) % np.uint64(_PRIME)
    return permuted.min(axis=0)


class NearDuplicates:
    """Finds, for a new passage, an indexed one it nearly duplicates (and the key they then share)."""

    def __init__(self) -> None:
        self._signatures: dict[str, np.ndarray] = {}
        self._keys: dict[str, str] = {}
        self._buckets: dict[tuple[int, bytes], set[str]] = defaultdict(set)

    def __len__(self) -> int:
        return len(self._signatures)

    @staticmethod
    def _bands(sig: np.ndarray) -> list[tuple[int, bytes]]:
        return [(band, sig[band * ROWS : (band + 1) * ROWS].tobytes()) for band in range(BANDS)]

    def add(self, chunk_id: str, key: str, text: str) -> None:
        sig = signature(text)
        if sig is None:
            return
        self._signatures[chunk_id] = sig
        self._keys[chunk_id] = key
        for bucket in self._bands(sig):
            self._buckets[bucket].add(chunk_id)

    def remove(self, chunk_id: str) -> None:
        sig = self._signatures.pop(chunk_id, None)
        self._keys.pop(chunk_id, None)
        if sig is None:
            return
        for bucket in self._bands(sig):
            members = self._buckets.get(bucket)
            if members is not None:
                members.discard(chunk_id)
                if not members:
                    del self._buckets[bucket]

    def match(self, text: str, exclude_source_prefix: str | None = None) -> tuple[str, str] | None:
        """(chunk id, key) of the most similar indexed passage at or above SIMILARITY, if any."""
        sig = signature(text)
        if sig is None:
            return None
        candidates: set[str] = set()
        for bucket in self._bands(sig):
            candidates |= self._buckets.get(bucket, set())
        best: tuple[float, str] | None = None
        for candidate in candidates:
            if exclude_source_prefix is not None and candidate.startswith(exclude_source_prefix):
                continue
            similarity = float(np.mean(self._signatures[candidate] == sig))
            if similarity >= SIMILARITY and (best is None or similarity > best[0]):
                best = (similarity, candidate)
        return (best[1], self._keys[best[1]]) if best else None
