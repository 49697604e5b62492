"""Metrics pulled from the team's own database before the digest, as the OPSBOT_METRICS_SQL file
describes (bot.core.metrics_sql): each query gets `:since` (a date) and returns rows of (day, value)
or (day, value, client).
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from sqlalchemy import text

from bot.core.metrics_sql import MetricsSource
from bot.storage.metrics import MetricStore
from skills.metrics_csv import MetricValue

log = logging.getLogger(__name__)


def pull(source: MetricsSource, store: MetricStore, since: date) -> int:
    """Run every query and save what came back; one bad query is logged and skipped (the digest
    goes out with the numbers already stored). Returns the values saved."""
    saved = 0
    engine = source.engine()
    try:
        for metric, sql in source.queries.items():
            try:
                with engine.connect() as connection:
                    rows = connection.execute(text(sql), {"since": since}).all()
                values = [_value(metric, row) for row in rows]
            except Exception as error:  # the team's database or query: report, keep going
                log.warning("metric %s: the query failed (%s)", metric, type(error).__name__)
                continue
            if values:
                store.save(values)
                saved += len(values)
    finally:
        engine.dispose()
    return saved


def _value(metric: str, row: tuple) -> MetricValue:  # type: ignore[type-arg]
    day = row[0]
    if isinstance(day, datetime):
        day = day.date()
    elif isinstance(day, str):
        day = date.fromisoformat(day[:10])
    client = str(row[2]) if len(row) > 2 and row[2] is not None else ""
    return MetricValue(day, metric, float(row[1]), client)
