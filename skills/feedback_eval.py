"""Measuring the categorizer: a stable held-out split, accuracy and a confusion matrix."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from skills.feedback_categories import CATEGORIES, Category
from skills.feedback_classifier import LabeledExample


def stratified_folds(examples: Sequence[LabeledExample], count: int = 5) -> list[list[LabeledExample]]:
    """`count` held-out parts with every category spread evenly, decided by a hash of each text, so
    the parts never change when lines are reordered or added elsewhere in the file."""
    parts: list[list[LabeledExample]] = [[] for _ in range(count)]
    for category in CATEGORIES:
        members = sorted(
            (e for e in examples if e.category == category),
            key=lambda e: hashlib.sha256(e.text.encode("utf-8")).hexdigest(),
        )
        for position, example in enumerate(members):
            parts[position % count].append(example)
    return parts


@dataclass(frozen=True)
class Evaluation:
    total: int
    correct: int
    confusion: dict[Category, dict[Category, int]]
    """confusion[true][predicted] = count."""
    mistakes: list[tuple[LabeledExample, Category]]

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def recall(self, category: Category) -> float:
        row = self.confusion[category]
        total = sum(row.values())
        return row[category] / total if total else 0.0

    def precision(self, category: Category) -> float:
        predicted = sum(self.confusion[true][category] for true in CATEGORIES)
        return self.confusion[category][category] / predicted if predicted else 0.0

    def table(self) -> str:
        """The confusion matrix as a Markdown table (rows: true category, columns: predicted)."""
        header = "| true \\ predicted | " + " | ".join(CATEGORIES) + " | recall |"
        lines = [header, "|" + " --- |" * (len(CATEGORIES) + 2)]
        for true in CATEGORIES:
            cells = " | ".join(str(self.confusion[true][predicted]) for predicted in CATEGORIES)
            lines.append(f"| {true} | {cells} | {self.recall(true):.2f} |")
        precision = " | ".join(f"{self.precision(c):.2f}" for c in CATEGORIES)
        lines.append(f"| precision | {precision} | |")
        return "\n".join(lines)


def evaluate(predict: Callable[[str], Category], examples: Sequence[LabeledExample]) -> Evaluation:
    """Predict every example once and tally the answers."""
    confusion: dict[Category, dict[Category, int]] = {t: {p: 0 for p in CATEGORIES} for t in CATEGORIES}
    mistakes: list[tuple[LabeledExample, Category]] = []
    for example in examples:
        predicted = predict(example.text)
        confusion[example.category][predicted] += 1
        if predicted != example.category:
            mistakes.append((example, predicted))
    return Evaluation(len(examples), len(examples) - len(mistakes), confusion, mistakes)


def cross_validate(
    train: Callable[[list[LabeledExample]], Callable[[str], Category]],
    examples: Sequence[LabeledExample],
    count: int = 5,
) -> Evaluation:
    """Each part held out once: `train` gets the other parts, then predicts the held-out one.
    The result sums the parts, so every example is predicted exactly once, by a model that never
    saw it."""
    parts = stratified_folds(examples, count)
    results = []
    for held_out_index, held_out in enumerate(parts):
        rest = [example for index, part in enumerate(parts) if index != held_out_index for example in part]
        results.append(evaluate(train(rest), held_out))
    confusion = {t: {p: sum(r.confusion[t][p] for r in results) for p in CATEGORIES} for t in CATEGORIES}
    return Evaluation(
        sum(r.total for r in results),
        sum(r.correct for r in results),
        confusion,
        [mistake for r in results for mistake in r.mistakes],
    )
