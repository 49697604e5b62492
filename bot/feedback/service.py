"""Feedback for every way of filing it: categorize, store, correct, and learn from corrections.

Filing writes the item at once with the offline category (milliseconds, no network; `pending` in
the seconds after start-up while the model is fitted), so it is safe before anyone is told. A job
then completes it: the offline category if pending, the LLM's if one is configured. A person's
correction always wins.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from bot.core.llm import StructuredCall
from bot.feedback.meaning import FeedbackMeaning, shared_meaning
from bot.storage.feedback import FeedbackItem, FeedbackStore, Filed, NewFeedback
from skills.feedback_categories import Category, Status, check_feedback_text
from skills.feedback_classifier import Classification, FeedbackClassifier, LabeledExample
from skills.feedback_groups import Earlier, best_group
from skills.feedback_llm import label_messages, label_schema, parse_label

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Regrouped:
    item_id: int
    was: int
    group: int
    text: str


PENDING = Classification("other", 0.0, (), method="pending")
"""Filed before the model was ready; `complete` gives it its category moments later."""


class FeedbackService:
    def __init__(
        self,
        store: FeedbackStore,
        llm: StructuredCall | None = None,
        base: Callable[[], FeedbackClassifier] | None = None,
        meaning: FeedbackMeaning | None = None,
    ) -> None:
        self.store = store
        self._llm = llm
        self._base = base or FeedbackClassifier.default
        self._classifier: FeedbackClassifier | None = None
        self._lock = threading.Lock()
        self._meaning = meaning or shared_meaning()

    @property
    def uses_llm(self) -> bool:
        return self._llm is not None

    def offline(self) -> FeedbackClassifier:
        """The offline categorizer, fitted once per process on the shipped examples and the team's
        corrections (seconds: the first caller waits, so request handlers use `file` instead)."""
        with self._lock:
            if self._classifier is None:
                classifier = self._base()
                for example in self.store.corrections():
                    classifier.learn(example)
                classifier.refresh()
                self._classifier = classifier
            return self._classifier

    def start_warm_up(self) -> None:
        """Fit the categorizer and load the grouping models in the background, so filings soon
        get their category and their group at once."""
        threading.Thread(target=self.warm_up, name="opsbot-feedback-warm-up", daemon=True).start()

    def warm_up(self) -> None:
        """Both models ready (seconds the first time): the command line files complete at once."""
        self.offline()
        self._meaning.load()

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
        """Write the item at once: categorized and grouped by meaning when the models are ready;
        else `pending`, grouped by its words, for `complete` to finish."""
        check_feedback_text(new.text)
        classifier = self._classifier
        classification = classifier.classify(new.text) if classifier is not None else PENDING
        meaning = self._meaning.of([new.text])[0] if self._meaning.ready else None
        return self.store.file(new, classification, now=now, meaning=meaning)

    def complete(self, item: FeedbackItem) -> FeedbackItem:
        """Categorize a pending item, store its meaning if it was filed without, and ask the LLM
        when one is configured (slow: run in a job). A person's correction always stands."""
        if not self.store.has_meaning(item.id):
            self.store.set_meanings({item.id: self._meaning.of([item.text])[0]})
        if item.corrected_by is not None:
            return item
        if item.method == PENDING.method:
            item = self.store.update_classification(item.id, self.classify_offline(item.text)) or item
        if self._llm is not None and item.method != "llm" and item.corrected_by is None:
            better = self.classify(item.text)
            if better.method == "llm":
                item = self.store.update_classification(item.id, better) or item
        return item

    def correct(self, item_id: int, category: Category, user: str) -> FeedbackItem:
        """Store the person's category and keep it as a labeled example (counted after `relearn`)."""
        item = self.store.correct(item_id, category, user)
        if self._classifier is not None:
            self._classifier.learn(LabeledExample(item.text, category))
        return item

    def relearn(self) -> None:
        """Refit on the corrections so far (seconds: call it off the request path)."""
        self.offline().refresh()

    def regroup(self, dry_run: bool = False) -> list[Regrouped]:
        """Group the newest items again, in filing order, as they would be filed today (items filed
        before vectors were stored get them first). A group a person merged into or split from
        keeps its members. Returns the moves (made unless `dry_run`)."""
        rows = self.store.grouping_rows()
        missing = [row for row in rows if row.meaning is None]
        meanings = dict(
            zip((row.id for row in missing), self._meaning.of([r.text for r in missing]), strict=True)
        )
        if not dry_run and meanings:
            self.store.set_meanings(meanings)
        kept = {row.group for row in rows if row.grouped_by is not None}
        earlier = Earlier()
        moves: list[Regrouped] = []
        for row in rows:
            report = row.report(meanings.get(row.id))
            group = row.group
            if row.group not in kept:
                found = best_group(report, earlier)
                group = found[0] if found else row.id
                if group != row.group:
                    moves.append(Regrouped(row.id, row.group, group, row.text))
            earlier.add(replace(report, group=group))
        if not dry_run:
            self.store.set_groups({move.item_id: move.group for move in moves})
        return moves

    def set_status(self, item_id: int, status: Status, user: str) -> FeedbackItem:
        return self.store.set_status(item_id, status, user)
