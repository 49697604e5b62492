"""The offline feedback categorizer: TF-IDF features and a logistic regression, in both languages.

Why this method: the labeled examples carry what the playbook distinguishes (a malfunction is a bug
even when asked as a question; permissions are ops-management even when asked as "how do I"; a
grievance about the service is a complaint even when it mentions a bug), and a linear model over
character n-grams learns it from them without a word segmenter, across Chinese, English, mixed
text, typos and Traditional characters (folded to Simplified first). Word features (English words,
Chinese character pairs) sit beside the n-grams so the deciding words can be shown. The model
trains on the shipped examples plus every correction a team makes, in a few seconds.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from skills.feedback_categories import (
    CATEGORIES,
    Category,
    Classification,
    LabeledExample,
    check_feedback_text,
)
from skills.feedback_words import CJK_RUN, features, normalize

REGULARIZATION = 10.0
"""LogisticRegression's C, chosen by cross-validation on the training half of the labeled set."""
MAX_DECIDING_WORDS = 5
EXAMPLE_FILES = ("feedback_examples.jsonl", *(f"feedback_training_{part}.jsonl" for part in "abc"))


def _words(text: str) -> list[str]:
    return features(normalize(text))


def read_examples(jsonl: str) -> list[LabeledExample]:
    """JSON lines with `text` and `category` (other keys are ignored)."""
    examples = []
    for line in jsonl.splitlines():
        if line.strip():
            record = json.loads(line)
            if record["category"] not in CATEGORIES:
                raise ValueError(f"unknown category {record['category']!r} in {line[:80]}")
            examples.append(LabeledExample(record["text"], record["category"]))
    return examples


@lru_cache(maxsize=1)
def default_examples() -> tuple[LabeledExample, ...]:
    """The shipped labeled messages: every category, both languages, the hard cases included."""
    data = resources.files("skills").joinpath("data")
    return tuple(
        example
        for name in EXAMPLE_FILES
        for example in read_examples(data.joinpath(name).read_text(encoding="utf-8"))
    )


class _Model:
    """One fitted vectorizer pair and regression; replaced whole when the examples change."""

    def __init__(self, examples: Sequence[LabeledExample], regularization: float) -> None:
        texts = [example.text for example in examples]
        self.ngrams = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, preprocessor=normalize
        )
        self.words = TfidfVectorizer(analyzer=_words, sublinear_tf=True)
        matrix = hstack([self.ngrams.fit_transform(texts), self.words.fit_transform(texts)]).tocsr()
        self.regression = LogisticRegression(C=regularization, max_iter=3000)
        self.regression.fit(matrix, [example.category for example in examples])
        self.classes: list[Category] = [str(name) for name in self.regression.classes_]  # type: ignore[misc]
        self.word_names = self.words.get_feature_names_out()
        self.word_offset = len(self.ngrams.vocabulary_)

    def classify(self, text: str) -> Classification:
        word_vector = self.words.transform([text])
        matrix = hstack([self.ngrams.transform([text]), word_vector]).tocsr()
        probabilities = self.regression.predict_proba(matrix)[0]
        best = int(np.argmax(probabilities))
        return Classification(
            self.classes[best], float(probabilities[best]), self._deciding_words(word_vector, best)
        )

    def _deciding_words(self, word_vector, best: int) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
        """The words present whose weights favour the winner most over the runner-up classes."""
        coefficients = self.regression.coef_[:, self.word_offset :]
        row = word_vector.tocoo()
        lifts = []
        for column, value in zip(row.col, row.data, strict=True):
            weights = coefficients[:, column]
            lift = value * (weights[best] - max(np.delete(weights, best)))
            if lift > 0:
                lifts.append((lift, str(self.word_names[column])))
        lifts.sort(reverse=True)
        chosen: list[str] = []
        for _, word in lifts:
            if len(chosen) == MAX_DECIDING_WORDS:
                break
            if not _straddles(word, chosen):
                chosen.append(word)
        return tuple(chosen)


def _straddles(word: str, chosen: list[str]) -> bool:
    """A Chinese character pair that is only the seam between two chosen words (能支 in 希望能支持)."""
    if not CJK_RUN.fullmatch(word):
        return False
    return any(word[0] == other[-1] or word[-1] == other[0] for other in chosen if CJK_RUN.fullmatch(other))


class FeedbackClassifier:
    """Categorizes one message at a time; `learn` adds a labeled example (a person's correction).

    Classifying never fits: `learn` only records the example, and `refresh` (run off the request
    path) fits a new model on all examples and swaps it in whole, one refit at a time.
    """

    def __init__(self, examples: Iterable[LabeledExample], regularization: float = REGULARIZATION) -> None:
        self._examples = list(examples)
        if {example.category for example in self._examples} != set(CATEGORIES):
            raise ValueError("the examples must cover every category")
        self._regularization = regularization
        self._lock = threading.Lock()
        self._refit = threading.Lock()
        self._model = _Model(self._examples, regularization)
        self._stale = False

    @classmethod
    def default(cls, extra_examples: Iterable[LabeledExample] = ()) -> FeedbackClassifier:
        """The shipped examples plus the team's own (corrections)."""
        return cls([*default_examples(), *extra_examples])

    def fork(self) -> FeedbackClassifier:
        """Another classifier with the same fitted model and its own examples (no refit)."""
        forked = object.__new__(FeedbackClassifier)
        with self._lock:
            forked._examples = list(self._examples)
            forked._stale = self._stale
        forked._regularization = self._regularization
        forked._lock = threading.Lock()
        forked._refit = threading.Lock()
        forked._model = self._model
        return forked

    def learn(self, example: LabeledExample) -> None:
        """Record an example; it counts from the next `refresh`."""
        with self._lock:
            self._examples.append(example)
            self._stale = True

    def refresh(self) -> None:
        """Refit when examples were added (seconds); concurrent calls wait and then find it done."""
        with self._refit:
            with self._lock:
                if not self._stale:
                    return
                examples, self._stale = list(self._examples), False
            self._model = _Model(examples, self._regularization)

    def classify(self, text: str) -> Classification:
        """Refuses empty and over-long texts (SkillError), like every way of filing does."""
        return self._model.classify(check_feedback_text(text))
