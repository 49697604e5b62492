"""Feedback as a spreadsheet-safe CSV (UTF-8 with BOM, so Excel shows Chinese correctly)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.storage.feedback import FeedbackItem, as_utc
from skills.csv_files import spreadsheet_csv

COLUMNS = (
    "id",
    "said_at_utc",
    "category",
    "status",
    "customer",
    "text",
    "confidence",
    "deciding_words",
    "method",
    "original_category",
    "corrected_by",
    "reporter",
    "filed_by",
    "source",
    "channel",
    "permalink",
    "group_id",
    "routed_channel",
)


def feedback_csv(items: Sequence[FeedbackItem]) -> bytes:
    """Every column through `spreadsheet_csv`: the text, customer and people columns hold what
    anyone typed in Slack, and no column is trusted to stay free of it."""
    rows = (
        [
            item.id,
            as_utc(item.said_at).strftime("%Y-%m-%d %H:%M:%S"),
            item.category,
            item.status,
            item.customer or "",
            item.text,
            f"{item.confidence:.3f}",
            "; ".join(item.words),
            item.method,
            item.original_category or "",
            item.corrected_by or "",
            item.reporter,
            item.filed_by,
            item.source,
            item.channel or "",
            item.permalink or "",
            item.group_id or item.id,
            item.routed_channel or "",
        ]
        for item in items
    )
    return spreadsheet_csv(COLUMNS, rows).encode("utf-8-sig")
