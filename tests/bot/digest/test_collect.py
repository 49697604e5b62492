"""What the digest gathers for one owner's local day: to-dos, the feedback window, complaints."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.digest.collect import COMPLAINTS_SHOWN, collect, render_text
from bot.storage.engine import create_db_engine
from bot.storage.feedback import FeedbackStore, NewFeedback
from bot.storage.metrics import MetricStore
from bot.storage.owners import OwnerChanges, OwnerStore, TodoStore
from skills.feedback_classifier import Classification
from skills.metrics_csv import MetricValue, metric_key
from tests.conftest import db_url_for

DAY = date(2026, 11, 23)


def _engine(tmp_path: Path) -> Engine:
    engine = create_db_engine(db_url_for(tmp_path))
    OwnerStore(engine).ensure("USH", "Asia/Shanghai")
    return engine


COMPLAINTS = [
    "Nobody answered our ticket for a week",
    "The invoice was sent to the wrong address twice",
    "Your sales rep promised a discount that never came",
    "Training session was cancelled without notice",
]


def _file(engine: Engine, text: str, category: str, at: datetime, customer: str | None = None) -> None:
    new = NewFeedback(f"k:{text}", text, "UC", "UC", "cli", "en", customer)
    FeedbackStore(engine).file(new, Classification(category, 0.9, ()), now=at)  # type: ignore[arg-type]


def test_open_to_dos_and_those_done_that_day_are_listed(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    todos = TodoStore(engine)
    kept = todos.add("USH", "call Acme", date(2026, 11, 20))
    done_today = todos.add("USH", "send the report", DAY)
    done_before = todos.add("USH", "old task", date(2026, 11, 20))
    todos.mark_done("USH", done_today.id, DAY)
    todos.mark_done("USH", done_before.id, date(2026, 11, 21))
    digest = collect(engine, "USH", DAY, "UTC")
    assert [(t.id, t.done, t.carried_over) for t in digest.todos] == [
        (kept.id, False, True),
        (done_today.id, True, False),
    ]


def test_feedback_counts_from_the_start_of_the_reviewed_local_day(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    # 2026-11-22 00:00 in Shanghai is 2026-11-21 16:00 UTC.
    _file(engine, "before the window", "bug", datetime(2026, 11, 21, 15, 59, tzinfo=UTC))
    for n in range(COMPLAINTS_SHOWN + 1):
        _file(engine, COMPLAINTS[n], "complaint", datetime(2026, 11, 21, 16, n, tzinfo=UTC))
    _file(engine, "a how-to", "how_to", datetime(2026, 11, 22, 3, 0, tzinfo=UTC))
    summary = collect(engine, "USH", DAY, "UTC").feedback
    assert summary.new == COMPLAINTS_SHOWN + 2
    assert summary.by_category == {"complaint": COMPLAINTS_SHOWN + 1, "how_to": 1}
    newest_first = range(COMPLAINTS_SHOWN, 0, -1)
    assert [c.text for c in summary.complaints] == [COMPLAINTS[n] for n in newest_first]
    later = collect(engine, "USH", DAY, "UTC", feedback_since=datetime(2026, 11, 22, 0, 0, tzinfo=UTC))
    assert later.feedback.new == 1


def test_an_empty_day_says_what_to_do_in_either_language(tmp_path: Path) -> None:
    digest = collect(_engine(tmp_path), "USH", DAY, "UTC")
    assert "write today's list first" in render_text(digest, "en")
    assert "opsbot metrics import FILE.csv" in render_text(digest, "zh")
    assert render_text(digest, "zh").startswith("早上好 — 2026-11-23")


def test_every_imported_metric_is_in_the_digest_and_rates_read_as_rates(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    days = [DAY - timedelta(days=back) for back in range(1, 71)]
    rows = [
        MetricValue(day, metric_key(name), value)
        for day in days
        for name, value in (
            ("sales", 1000.0),
            ("retention_rate", 0.43),
            ("conversion_rate", 0.052),
            ("refunds", 12.0),
        )
    ]
    MetricStore(engine).save(rows)
    digest = collect(engine, "USH", DAY, "UTC")
    assert [m.metric for m in digest.metrics] == ["sales", "retention", "conversion_rate", "refunds"]
    text = render_text(digest, "en")
    assert "Retention: 43.0%" in text and "conversion_rate: 5.2%" in text and "refunds: 12" in text
    OwnerStore(engine).change("USH", OwnerChanges(metrics=["refunds"]))
    assert [m.metric for m in collect(engine, "USH", DAY, "UTC").metrics] == ["refunds"], "an owner's choice"


def test_a_complaint_raised_again_is_shown_once_with_how_often_and_by_whom(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    at = datetime(2026, 11, 21, 17, 0, tzinfo=UTC)
    _file(engine, "Nobody answered our support ticket for a week", "complaint", at, "Acme")
    _file(engine, "nobody answered our support ticket for a week again", "complaint", at, "Beta")
    _file(engine, "Nobody answered our support ticket for a week, third time", "complaint", at, "Acme")
    _file(engine, "The invoice was sent to the wrong address", "complaint", at, "Gamma")
    digest = collect(engine, "USH", DAY, "UTC")
    invoice, ticket = digest.feedback.complaints  # newest first
    assert (ticket.times, ticket.customers) == (3, 2) and ticket.text.endswith("third time")
    assert (invoice.times, invoice.customers) == (1, 1)
    assert "(raised 3 times by 2 customers)" in render_text(digest, "en")
    assert "同一问题已提 3 次,2 个客户" in render_text(digest, "zh")
