"""Feedback as a spreadsheet-safe CSV (UTF-8 with BOM, so Excel shows Chinese correctly)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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
    "group_first_report",
    "routed_channel",
)


def feedback_csv(items: Sequence[FeedbackItem], firsts: Mapping[int, FeedbackItem] | None = None) -> bytes:
    """Every column through `spreadsheet_csv`: the text, customer and people columns hold what
    anyone typed in Slack, and no column is trusted to stay free of it. `firsts`: each group's
    first report (FeedbackStore.group_firsts), named in every row of the group."""
    firsts = firsts or {}
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
            _first_report(firsts.get(item.group_id or item.id)),
            item.routed_channel or "",
        ]
        for item in items
    )
    return spreadsheet_csv(COLUMNS, rows).encode("utf-8-sig")


def _first_report(first: FeedbackItem | None) -> str:
    return f"#{first.id} {' '.join(first.text.split())[:200]}" if first is not None else ""
