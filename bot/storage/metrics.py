"""Daily metric values (per metric, and optionally per client or team) in the relational store."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Date, DateTime, Float, String, delete, select, tuple_
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from bot.storage.engine import Base
from skills.metrics_csv import DEFAULT_METRICS, MetricValue

_BATCH = 500


class MetricRow(Base):
    __tablename__ = "metric_values"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    metric: Mapped[str] = mapped_column(String(100), primary_key=True)
    client: Mapped[str] = mapped_column(String(200), primary_key=True, default="")
    value: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class ImportReport:
    values: int
    replaced: int
    metrics: tuple[str, ...]
    first_day: date
    last_day: date


class MetricStore:
    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def save(self, values: Sequence[MetricValue]) -> ImportReport:
        """Write all values in one transaction (a later import of the same day, metric and client
        replaces the earlier value): the whole file or, on any failure, nothing."""
        now = datetime.now(UTC)
        keys = [(v.day, v.metric, v.client) for v in values]
        with self._sessions.begin() as session:
            replaced = 0
            for start in range(0, len(keys), _BATCH):
                batch = keys[start : start + _BATCH]
                key = tuple_(MetricRow.day, MetricRow.metric, MetricRow.client)
                replaced += session.execute(delete(MetricRow).where(key.in_(batch))).rowcount or 0
            session.add_all(
                MetricRow(day=v.day, metric=v.metric, client=v.client, value=v.value, updated_at=now)
                for v in values
            )
        days = [v.day for v in values]
        return ImportReport(
            len(values), replaced, tuple(sorted({v.metric for v in values})), min(days), max(days)
        )

    def metrics(self, client: str = "") -> list[str]:
        with self._sessions() as session:
            query = select(MetricRow.metric).where(MetricRow.client == client).distinct()
            return sorted(session.scalars(query))

    def known(self, client: str = "") -> list[str]:
        """Metric names a goal or a watch list may name: the brief's six, and every metric imported
        for the whole business or for `client`."""
        names = set(DEFAULT_METRICS) | set(self.metrics())
        if client:
            names |= set(self.metrics(client))
        return sorted(names)

    def series_by_client(
        self, metric: str, since: date, until: date, clients: Collection[str]
    ) -> dict[str, dict[date, float]]:
        """The series of several clients (or "" for the whole business) in one read."""
        found: dict[str, dict[date, float]] = {client: {} for client in clients}
        query = select(MetricRow.client, MetricRow.day, MetricRow.value).where(
            MetricRow.metric == metric, MetricRow.day >= since, MetricRow.day <= until
        )
        if len(found) <= _BATCH:
            query = query.where(MetricRow.client.in_(list(found)))
        with self._sessions() as session:
            for client, day, value in session.execute(query):
                if client in found:
                    found[client][day] = value
        return found

    def every_client(
        self, since: date, until: date, clients: Collection[str] | None = None
    ) -> dict[str, dict[str, dict[date, float]]]:
        """Client → metric → daily values, for every client with values in the window (not the
        whole business's), or only `clients`, in one read."""
        found: dict[str, dict[str, dict[date, float]]] = {}
        query = select(MetricRow.client, MetricRow.metric, MetricRow.day, MetricRow.value).where(
            MetricRow.client != "", MetricRow.day >= since, MetricRow.day <= until
        )
        if clients is not None:
            query = query.where(MetricRow.client.in_(list(clients)))
        with self._sessions() as session:
            for client, metric, day, value in session.execute(query):
                found.setdefault(client, {}).setdefault(metric, {})[day] = value
        return found

    def series(self, metric: str, since: date, until: date, client: str = "") -> dict[date, float]:
        query = select(MetricRow.day, MetricRow.value).where(
            MetricRow.metric == metric,
            MetricRow.client == client,
            MetricRow.day >= since,
            MetricRow.day <= until,
        )
        with self._sessions() as session:
            return {day: value for day, value in session.execute(query)}
