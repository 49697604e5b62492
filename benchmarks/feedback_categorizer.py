"""The feedback categorizer on the labeled set in tests/: accuracy (whole set, held-out folds, hard
cases, per language) with confusion matrices, fit time, classify latency, and filing throughput
(near-duplicate grouping included) into a fresh SQLite store.

Usage: python benchmarks/feedback_categorizer.py [--folds 5] [--filings 2000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from bot.storage.engine import create_db_engine, sqlite_url
from bot.storage.feedback import FeedbackStore, NewFeedback
from skills.feedback_classifier import FeedbackClassifier, LabeledExample, default_examples
from skills.feedback_eval import cross_validate, evaluate

LABELED = Path(__file__).resolve().parent.parent / "tests" / "skills" / "data" / "feedback_labeled.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--filings", type=int, default=2000)
    args = parser.parse_args()
    records = [json.loads(line) for line in LABELED.read_text(encoding="utf-8").splitlines() if line.strip()]
    examples = [LabeledExample(r["text"], r["category"]) for r in records]

    started = time.perf_counter()
    shipped = FeedbackClassifier.default()
    fitted = time.perf_counter() - started
    print(f"shipped examples: {len(default_examples()):,}; fit {fitted:.2f} s")

    latencies = []
    for record in records:
        begin = time.perf_counter()
        shipped.classify(record["text"])
        latencies.append((time.perf_counter() - begin) * 1000)
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95)]
    print(f"classify: p50 {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms")

    whole = evaluate(lambda text: shipped.classify(text).category, examples)
    print(
        f"\nshipped categorizer on all {whole.total} labeled messages (none trained on): {whole.accuracy:.3f}"
    )
    print(whole.table())
    for name, subset in (
        ("hard cases", [r for r in records if r["hard"]]),
        ("Chinese", [r for r in records if r["lang"] == "zh"]),
        ("English", [r for r in records if r["lang"] == "en"]),
    ):
        part = [LabeledExample(r["text"], r["category"]) for r in subset]
        accuracy = evaluate(lambda text: shipped.classify(text).category, part).accuracy
        print(f"  {name}: {accuracy:.3f} ({len(part)})")

    def train(rest: list[LabeledExample]):  # type: ignore[no-untyped-def]
        classifier = FeedbackClassifier.default(rest)
        return lambda text: classifier.classify(text).category

    folds = cross_validate(train, examples, args.folds)
    print(
        f"\n{args.folds}-fold held-out (shipped examples + the other folds as the team's corrections): "
        f"{folds.accuracy:.3f}"
    )
    print(folds.table())

    with tempfile.TemporaryDirectory() as home:
        from bot.feedback.service import FeedbackService

        service = FeedbackService(FeedbackStore(create_db_engine(sqlite_url(Path(home)))), base=shipped.fork)
        service.warm_up()  # as a running bot files: categorized and grouped by meaning at once
        texts = [r["text"] for r in records]
        begin = time.perf_counter()
        last_hundred = 0.0
        for n in range(args.filings):
            text = f"{texts[n % len(texts)]} (#{n // len(texts)})"
            one = time.perf_counter()
            service.file(NewFeedback(f"bench:{n}", text, "U1", "U1", "cli", "en", customer=f"C{n % 97}"))
            if n >= args.filings - 100:
                last_hundred += time.perf_counter() - one
        elapsed = time.perf_counter() - begin
        groups = len({item.group_id for item in service.store.items()})
    print(
        f"\nfiling {args.filings:,} items (classify + embed + group + write): {elapsed:.1f} s, "
        f"{elapsed / args.filings * 1000:.1f} ms per item on average, {last_hundred * 10:.1f} ms for the last "
        f"100; {groups:,} groups"
    )


if __name__ == "__main__":
    main()
