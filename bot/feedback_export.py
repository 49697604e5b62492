"""Feedback as a spreadsheet-safe CSV (UTF-8 with BOM, so Excel shows Chinese correctly)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from bot.feedback_store import FeedbackItem, as_utc
from bot.render_rfm import spreadsheet_safe

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
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for item in items:
        writer.writerow(
            [
                item.id,
                as_utc(item.said_at).strftime("%Y-%m-%d %H:%M:%S"),
                item.category,
                item.status,
                spreadsheet_safe(item.customer or ""),
                spreadsheet_safe(item.text),
                f"{item.confidence:.3f}",
                spreadsheet_safe("; ".join(item.words)),
                item.method,
                item.original_category or "",
                item.corrected_by or "",
                spreadsheet_safe(item.reporter),
                spreadsheet_safe(item.filed_by),
                item.source,
                item.channel or "",
                item.permalink or "",
                item.group_id or item.id,
                item.routed_channel or "",
            ]
        )
    return out.getvalue().encode("utf-8-sig")
