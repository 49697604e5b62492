"""Feedback items built in memory, for tests of what is made from them (cards, exports)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.storage.feedback import FeedbackItem


def feedback_item(**values: object) -> FeedbackItem:
    """A filed production bug (#7), with `values` replacing any field."""
    moment = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
    fields: dict[str, object] = {
        "id": 7,
        "dedupe_key": "k",
        "text": "Export fails",
        "category": "bug",
        "confidence": 0.87,
        "deciding_words": "[]",
        "method": "offline",
        "status": "new",
        "reporter": "U1",
        "filed_by": "U2",
        "source": "command",
        "said_at": moment,
        "filed_at": moment,
    }
    fields.update(values)
    return FeedbackItem(**fields)
