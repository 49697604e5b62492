"""Compare embedders and fusion settings on the playbook question set (prints a table).

Usage: python benchmarks/retrieval_tuning.py
"""

from __future__ import annotations

import itertools
import tempfile
import time
from pathlib import Path

from knowledge.embedders import E5_CENTERED_RELEVANCE, E5Embedder, LanguageCentered, UsemEmbedder, load_means
from knowledge.evaluation import Question, evaluate, load_questions
from knowledge.index import FusionConfig, KnowledgeIndex

QUESTIONS = Path(__file__).resolve().parent.parent / "tests" / "knowledge" / "playbook_questions.jsonl"


def _row(name: str, index: KnowledgeIndex, questions: list[Question], fusion: FusionConfig) -> None:
    scores = evaluate(index, questions, fusion)
    cells = "  ".join(
        f"{lang}: h1={s.hit_at_1:.3f} h5={s.hit_at_5:.3f} mrr={s.mrr_at_5:.3f}" for lang, s in scores.items()
    )
    print(f"{name:44s} {cells}", flush=True)


def main() -> None:
    questions = load_questions(QUESTIONS)
    print(f"{len(questions)} questions")
    e5 = E5Embedder()
    centered = LanguageCentered(e5, load_means(e5.name), E5_CENTERED_RELEVANCE)
    use = UsemEmbedder()
    with tempfile.TemporaryDirectory() as home:
        timings = {}
        for embedder in (centered, use, e5):
            started = time.perf_counter()
            KnowledgeIndex(Path(home), [embedder]).sync_playbook()
            timings[embedder.name] = time.perf_counter() - started
        print("index build (playbook):", ", ".join(f"{name} {sec:.1f}s" for name, sec in timings.items()))
        raw = KnowledgeIndex(Path(home), [e5, use])
        default = KnowledgeIndex(Path(home), [centered, use])
        dense_only = FusionConfig(dense_weights=(1.0, 0.0), lexical_weight=0.0)
        _row("bm25 only", default, questions, FusionConfig(dense_weights=(0.0, 0.0)))
        _row("e5 only", raw, questions, dense_only)
        _row("e5 centered only", default, questions, dense_only)
        _row("use-m3 only", default, questions, FusionConfig(dense_weights=(0.0, 1.0), lexical_weight=0.0))
        _row("fused: e5 + use-m3 + bm25 (default weights)", raw, questions, FusionConfig())
        _row("fused: e5 centered + use-m3 + bm25 (DEFAULT)", default, questions, FusionConfig())
        grid = itertools.product((10, 20, 60), (0.0, 0.5, 1.0), (0.5, 1.0), (0.0, 1.0, 2.0))
        for k, use_weight, lexical_weight, power in grid:
            fusion = FusionConfig(
                rrf_k=k, dense_weights=(1.0, use_weight), lexical_weight=lexical_weight, coverage_power=power
            )
            _row(
                f"centered k={k} use={use_weight} lex={lexical_weight} cov^{power}",
                default,
                questions,
                fusion,
            )


if __name__ == "__main__":
    main()
