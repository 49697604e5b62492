"""Fit feedback grouping on the tuning half of the labelled set; report both halves; time 10,000.

The labelled set (tests/skills/feedback_group_set.jsonl) holds realistic reports: problems raised by
three to five customers in other words, most mixing Chinese and English, look-alikes that are other
problems, and singletons. Each half holds whole problems, so no pair crosses the halves.

1. The tuning half is cut in two folds of whole problems. On each, a logistic regression over
   skills.feedback_groups.pair_features is fitted on every pair (each class weighing alike).
2. Each fold, filed in ten shuffled orders, is grouped with the weights fitted on the other; the
   pair of (JOIN_BEST, JOIN_MEAN) with the best mean recall at a mean precision of MIN_PRECISION wins. WEIGHTS and BIAS are the mean of the two folds' weights, printed for the module.
3. Both halves are scored with what was chosen, and with words alone (how grouping worked before
   vectors were stored), in the file's order and averaged over the shuffled orders.
4. One report grouped against 10,000 earlier ones (their vectors in memory, as the store keeps
   them): milliseconds per report.

Usage: python benchmarks/feedback_grouping.py
"""

from __future__ import annotations

import itertools
import statistics
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

import skills.feedback_groups as grouping
from bot.feedback.meaning import FeedbackMeaning, labelled_reports
from skills.feedback_classifier import FeedbackClassifier
from skills.feedback_group_eval import (
    LabelledReport,
    group_in_order,
    load_labelled_reports,
    mean_pair_scores,
    pair_scores,
)
from skills.feedback_groups import Earlier, Report, best_group, pair_features

SET = Path(__file__).resolve().parent.parent / "tests" / "skills" / "feedback_group_set.jsonl"
ORDERS = 10
MEANING = FeedbackMeaning()
CLASSIFIER = FeedbackClassifier.default()
MIN_PRECISION = 0.95
"""The bar on the folds, above the 0.9 wanted: fold estimates run optimistic on problems never seen,
and a wrong merge inflates a count while a missed one costs a person one click to merge."""


def describe(labelled: list[LabelledReport], with_vectors: bool = True) -> list[Report]:
    return labelled_reports(labelled, CLASSIFIER, MEANING if with_vectors else None)


def fit(reports: list[Report], labels: list[str]) -> None:
    features, same = [], []
    for first, second in itertools.combinations(range(len(reports)), 2):
        a, b = reports[first], reports[second]
        assert a.vectors is not None and b.vectors is not None
        if grouping.conflicting_codes(a, b):
            continue  # decided by rule, not by the weights
        sentence = float(a.vectors[0] @ b.vectors[0])
        passage = float(a.vectors[1] @ b.vectors[1])
        features.append(pair_features(a, b, sentence, passage))
        same.append(labels[first] == labels[second])
    model = LogisticRegression(class_weight="balanced", max_iter=1000).fit(np.array(features), same)
    grouping.WEIGHTS = {
        name: round(float(weight), 3) for name, weight in zip(grouping.WEIGHTS, model.coef_[0], strict=True)
    }
    grouping.BIAS = round(float(model.intercept_[0]), 3)


def scored(reports: list[Report], labels: list[str], orders: int = ORDERS) -> tuple[float, float]:
    """Mean precision and recall over `orders` shuffled filing orders."""
    return mean_pair_scores(reports, labels, orders)


def folds(labels: list[str]) -> tuple[list[int], list[int]]:
    """The tuning half in two folds of whole problems, alternating in order of first appearance."""
    order = list(dict.fromkeys(labels))
    first = {label for n, label in enumerate(order) if n % 2 == 0}
    return (
        [i for i, label in enumerate(labels) if label in first],
        [i for i, label in enumerate(labels) if label not in first],
    )


def choose_thresholds(reports: list[Report], labels: list[str]) -> tuple[float, float] | None:
    """The (JOIN_BEST, JOIN_MEAN) with the best recall at precision MIN_PRECISION, each fold scored
    with weights fitted on the other fold (thresholds chosen on the data the weights were fitted on
    would be too loose)."""
    scores: dict[tuple[float, float], list[tuple[float, float]]] = {}
    one, other = folds(labels)
    fitted_weights = []
    for fitted, scored_fold in ((one, other), (other, one)):
        fit([reports[i] for i in fitted], [labels[i] for i in fitted])
        fitted_weights.append((dict(grouping.WEIGHTS), grouping.BIAS))
        for thresholds in itertools.product((0.5, 0.6, 0.7, 0.8, 0.9, 0.95), (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)):
            grouping.JOIN_BEST, grouping.JOIN_MEAN = thresholds
            result = scored([reports[i] for i in scored_fold], [labels[i] for i in scored_fold])
            scores.setdefault(thresholds, []).append(result)
    best: tuple[float, float, tuple[float, float]] | None = None
    for thresholds, results in scores.items():
        precision = statistics.fmean(p for p, _ in results)
        recall = statistics.fmean(r for _, r in results)
        if precision >= MIN_PRECISION and (best is None or (recall, precision) > best[:2]):
            best = (recall, precision, thresholds)
    if best is not None:
        print(f"across the tuning folds: precision {best[1]:.2f}, recall {best[0]:.2f}")
    # The weights the thresholds were chosen with: the mean of the two folds' (a fit on the
    # whole half would score on another scale).
    grouping.WEIGHTS = {
        name: round(statistics.fmean(weights[name] for weights, _ in fitted_weights), 3)
        for name in grouping.WEIGHTS
    }
    grouping.BIAS = round(statistics.fmean(bias for _, bias in fitted_weights), 3)
    return best[2] if best is not None else None


def in_file_order(reports: list[Report], labels: list[str]) -> str:
    scores = pair_scores(labels, group_in_order(reports))
    return f"precision {scores.precision:.2f}, recall {scores.recall:.2f} ({scores.groups} groups)"


def main() -> None:
    labelled = load_labelled_reports(SET)
    halves = {split: [r for r in labelled if r.split == split] for split in ("tune", "heldout")}
    described = {split: describe(reports) for split, reports in halves.items()}
    words_only = {split: describe(reports, with_vectors=False) for split, reports in halves.items()}
    labels = {split: [r.group for r in reports] for split, reports in halves.items()}
    for split, reports in halves.items():
        groups = {r.group for r in reports}
        print(f"{split}: {len(reports)} reports, {len(groups)} problems")

    spreads = np.array([r.spread for r in described["tune"]])
    print("DEFAULT_SPREAD =", tuple(round(float(v), 3) for v in spreads.mean(axis=0)))
    chosen = choose_thresholds(described["tune"], labels["tune"])
    if chosen is None:
        print(f"no threshold reaches precision {MIN_PRECISION} across the tuning folds")
        return
    grouping.JOIN_BEST, grouping.JOIN_MEAN = chosen
    print("WEIGHTS =", grouping.WEIGHTS, "BIAS =", grouping.BIAS)
    print(f"JOIN_BEST = {chosen[0]}, JOIN_MEAN = {chosen[1]}")
    for split in ("tune", "heldout"):
        precision, recall = scored(described[split], labels[split])
        before = scored(words_only[split], labels[split])
        print(
            f"{split:8s} by meaning: precision {precision:.2f}, recall {recall:.2f} over {ORDERS} orders; "
            f"in file order {in_file_order(described[split], labels[split])}"
        )
        print(
            f"{'':8s} words alone (as items filed without vectors): precision {before[0]:.2f}, recall {before[1]:.2f}"
        )

    pool = described["tune"] + described["heldout"]
    rng = np.random.default_rng(3)
    earlier = Earlier()
    for n in range(10_000):  # look-alikes of the set's reports: many pairs worth scoring
        model = pool[n % len(pool)]
        assert model.vectors is not None
        noisy = tuple(v + rng.normal(0, 0.02, v.shape).astype(np.float32) for v in model.vectors)
        vectors = tuple(v / np.linalg.norm(v) for v in noisy)
        earlier.add(replace(model, key=n, group=n // 3, vectors=vectors))  # type: ignore[arg-type]
    earlier.stacked()
    timings = []
    for report in pool:
        started = time.perf_counter()
        best_group(report, earlier)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    print(
        f"one report against 10,000 earlier: p50 {timings[len(timings) // 2]:.1f} ms, "
        f"p95 {timings[int(len(timings) * 0.95)]:.1f} ms, max {timings[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
