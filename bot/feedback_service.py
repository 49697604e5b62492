"""Feedback for every way of filing it: categorize, store, correct, and learn from corrections.

Filing writes the item with the offline category at once (fast, no network), so it is safe before
anyone is told; a configured LLM then refines the category, and a person's correction always wins.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from bot.feedback_store import FeedbackItem, FeedbackStore, Filed, NewFeedback
from bot.llm import StructuredCall
from skills.feedback_categories import Category, Status
from skills.feedback_classifier import Classification, FeedbackClassifier, LabeledExample
from skills.feedback_llm import label_messages, label_schema, parse_label

log = logging.getLogger(__name__)


class FeedbackService:
    def __init__(
        self,
        store: FeedbackStore,
        llm: StructuredCall | None = None,
        base: Callable[[], FeedbackClassifier] | None = None,
    ) -> None:
        self.store = store
        self._llm = llm
        self._base = base or FeedbackClassifier.default
        self._classifier: FeedbackClassifier | None = None
        self._lock = threading.Lock()

    @property
    def uses_llm(self) -> bool:
        return self._llm is not None

    def offline(self) -> FeedbackClassifier:
        """The offline categorizer, trained once per process on the seed set and the team's corrections."""
        with self._lock:
            if self._classifier is None:
                classifier = self._base()
                for example in self.store.corrections():
                    classifier.learn(example)
                classifier.refresh()
                self._classifier = classifier
            return self._classifier

    def start_warm_up(self) -> None:
        """Fit the categorizer in the background (seconds), so the first filing does not wait."""
        threading.Thread(target=self.offline, name="opsbot-feedback-warm-up", daemon=True).start()

    def classify_offline(self, text: str) -> Classification:
        return self.offline().classify(text)

    def classify(self, text: str) -> Classification:
        """The LLM's category when one is configured and answers sensibly, else the offline one."""
        offline = self.classify_offline(text)
        if self._llm is None:
            return offline
        try:
            raw = self._llm(label_messages(text), "feedback_category", label_schema())
            return parse_label(raw, text)
        except Exception as error:  # any failure of the optional path: the offline answer stands
            log.warning("LLM categorization failed (%s); using the offline category", type(error).__name__)
            return offline

    def file(self, new: NewFeedback, now: datetime | None = None) -> Filed:
        return self.store.file(new, self.classify_offline(new.text), now=now)

    def refine(self, item: FeedbackItem) -> FeedbackItem:
        """Ask the LLM (when configured) for a better category; None of this can lose the item."""
        if self._llm is None or item.corrected_by is not None:
            return item
        better = self.classify(item.text)
        if better.method != "llm":
            return item
        return self.store.update_classification(item.id, better) or item

    def correct(self, item_id: int, category: Category, user: str) -> FeedbackItem:
        """Store the person's category and learn from it as a labeled example."""
        item = self.store.correct(item_id, category, user)
        self.offline().learn(LabeledExample(item.text, category))
        return item

    def relearn(self) -> None:
        """Refit on the corrections so far (slow: call it off the request path)."""
        self.offline().refresh()

    def set_status(self, item_id: int, status: Status, user: str) -> FeedbackItem:
        return self.store.set_status(item_id, status, user)
