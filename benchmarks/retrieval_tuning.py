"""Choose the fusion settings by measurement: BM25, each embedder and the fusion, then a grid.

The index holds the playbook and the messy test corpus (tests/knowledge/corpus), as a team's index
would; both question sets are scored. Settings are compared on the questions marked "tune"; every
figure printed is over the "heldout" ones. Usage: python benchmarks/retrieval_tuning.py [--quick]
"""

from __future__ import annotations

import itertools
import sys
import tempfile
import time
from pathlib import Path

from knowledge.embedders import E5_CENTERED_RELEVANCE, E5Embedder, LanguageCentered, UsemEmbedder, load_means
from knowledge.evaluation import Question, Scores, evaluate, in_split, load_questions
from knowledge.index import FusionConfig, KnowledgeIndex
from knowledge.ingest import ingest_paths

TESTS = Path(__file__).resolve().parent.parent / "tests" / "knowledge"
SETS = {"playbook": TESTS / "playbook_questions.jsonl", "corpus": TESTS / "corpus_questions.jsonl"}


def _cells(scores: dict[str, Scores]) -> str:
    s = scores["all"]
    return f"h1={s.hit_at_1:.3f} h5={s.hit_at_5:.3f} mrr={s.mrr_at_5:.3f}"


def _row(name: str, index: KnowledgeIndex, sets: dict[str, list[Question]], fusion: FusionConfig) -> float:
    """Prints the held-out figures; returns the mean MRR@5 over the tuning halves (what chooses)."""
    held_out = {label: evaluate(index, in_split(qs, "heldout"), fusion) for label, qs in sets.items()}
    tuning = {label: evaluate(index, in_split(qs, "tune"), fusion) for label, qs in sets.items()}
    line = "  ".join(f"{label}: {_cells(scores)}" for label, scores in held_out.items())
    print(f"{name:44s} held-out {line}", flush=True)
    return sum(scores["all"].mrr_at_5 for scores in tuning.values()) / len(tuning)


def main() -> None:
    sets = {label: load_questions(path) for label, path in SETS.items()}
    print(", ".join(f"{label}: {len(questions)} questions" for label, questions in sets.items()))
    e5 = E5Embedder()
    centered = LanguageCentered(e5, load_means(e5.name), E5_CENTERED_RELEVANCE)
    use = UsemEmbedder()
    with tempfile.TemporaryDirectory() as home:
        started = time.perf_counter()
        index = KnowledgeIndex(Path(home), [centered, use])
        index.sync_playbook()
        ingest_paths(index, [TESTS / "corpus"])
        print(f"index build: {time.perf_counter() - started:.1f}s, {len(index)} chunks")
        none = (0.0, 0.0)
        _row("bm25 only", index, sets, FusionConfig(dense_weights=none))
        _row("e5 centered only", index, sets, FusionConfig(dense_weights=(1.0, 0.0), lexical_weight=0.0))
        _row("use-m3 only", index, sets, FusionConfig(dense_weights=(0.0, 1.0), lexical_weight=0.0))
        _row("dense only (e5 + use-m3)", index, sets, FusionConfig(lexical_weight=0.0))
        _row("fused (DEFAULT)", index, sets, FusionConfig())
        if "--quick" in sys.argv:
            return
        best: tuple[float, str] = (0.0, "")
        grid = itertools.product((5, 10, 20, 60), (0.25, 0.5, 1.0), (0.5, 0.75, 1.0), (1.0, 2.0))
        for k, use_weight, lexical_weight, power in grid:
            fusion = FusionConfig(
                rrf_k=k, dense_weights=(1.0, use_weight), lexical_weight=lexical_weight, coverage_power=power
            )
            name = f"k={k} use={use_weight} lex={lexical_weight} cov^{power}"
            best = max(best, (_row(name, index, sets, fusion), name))
        print(f"best mean MRR@5 on the tuning halves: {best[0]:.3f} with {best[1]} (held-out figures above)")


if __name__ == "__main__":
    main()
