"""Client health read from the stores (the roster, each client's usage metrics, the complaints and
bugs filed for it, feedback's customer names matched to client ids), and kept day by day, so a
change of status can be told and a client's score drawn over time."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Date, DateTime, Integer, String, Text, delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from bot.storage.clients import ClientStore
from bot.storage.engine import Base, as_utc
from bot.storage.feedback import FeedbackStore
from bot.storage.metrics import MetricStore
from skills.client_names import ClientNames
from skills.client_roster import ClientRecord
from skills.health import (
    EARLIER_DAYS,
    RECENT_DAYS,
    STATUS_RANK,
    ClientHealth,
    ClientSignals,
    HealthConfig,
    StatusChange,
    client_health,
)

COUNTED_CATEGORIES = ("complaint", "bug")
_BATCH = 500


class HealthRow(Base):
    __tablename__ = "client_health"

    client: Mapped[str] = mapped_column(String(200), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    score: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(8))
    reasons: Mapped[str] = mapped_column(Text, default="[]")
    """JSON: [{"code", "points", "en", "zh"}]."""
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class HealthStore:
    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def record(self, day: date, healths: Sequence[ClientHealth]) -> None:
        """The day's scores (a later computation of the same day replaces them), in one transaction."""
        now = datetime.now(UTC)
        with self._sessions.begin() as session:
            ids = [health.client for health in healths]
            for start in range(0, len(ids), _BATCH):
                batch = ids[start : start + _BATCH]
                session.execute(delete(HealthRow).where(HealthRow.day == day, HealthRow.client.in_(batch)))
            session.add_all(
                HealthRow(
                    client=health.client,
                    day=day,
                    score=health.score,
                    status=health.status,
                    reasons=json.dumps(
                        [
                            {"code": r.code, "points": r.points, "en": r.en, "zh": r.zh}
                            for r in health.reasons
                        ],
                        ensure_ascii=False,
                    ),
                    recorded_at=now,
                )
                for health in healths
            )

    def before(self, day: date, clients: Sequence[str]) -> dict[str, str]:
        """Each client's status on the last day recorded before `day`."""
        found: dict[str, tuple[date, str]] = {}
        with self._sessions() as session:
            for start in range(0, len(clients), _BATCH):
                query = select(HealthRow.client, HealthRow.day, HealthRow.status).where(
                    HealthRow.day < day, HealthRow.client.in_(list(clients[start : start + _BATCH]))
                )
                for client, recorded, status in session.execute(query):
                    if client not in found or recorded > found[client][0]:
                        found[client] = (recorded, status)
        return {client: status for client, (_, status) in found.items()}

    def history(self, client: str, since: date) -> list[tuple[date, int]]:
        """(day, score) from `since`, oldest first: the score over time."""
        query = (
            select(HealthRow.day, HealthRow.score)
            .where(HealthRow.client == client, HealthRow.day >= since)
            .order_by(HealthRow.day)
        )
        with self._sessions() as session:
            return [(day, score) for day, score in session.execute(query)]


def clients_health(
    engine: Engine, today: date, config: HealthConfig, owner: str | None = None
) -> list[ClientHealth]:
    """Every client on the roster (or only `owner`'s, reading only their usage), worst first (then
    by id)."""
    store = ClientStore(engine)
    if owner is None:
        roster = store.all()
        return _scored(engine, roster, today, config, lambda: ClientNames.of((r.id, r.name) for r in roster))
    return _scored(engine, store.owned_by(owner), today, config, _roster_names(engine), only_these=True)


def one_client_health(
    engine: Engine, record: ClientRecord, today: date, config: HealthConfig
) -> ClientHealth:
    """The health of one client, as `clients_health` scores it, without reading the others' usage;
    a customer name is matched closely against this client's names only."""
    [health] = _scored(
        engine, [record], today, config, _roster_names(engine), only_these=True, among={record.id}
    )
    return health


def _scored(
    engine: Engine,
    records: Sequence[ClientRecord],
    today: date,
    config: HealthConfig,
    names: Callable[[], ClientNames],
    only_these: bool = False,
    among: Collection[str] | None = None,
) -> list[ClientHealth]:
    """`records` scored, worst first; `only_these`: read only their usage (else every client's in
    one read); `names` gives the roster's names when a complaint needs matching."""
    if not records:
        return []
    since = today - timedelta(days=RECENT_DAYS + EARLIER_DAYS)
    ids = [record.id for record in records] if only_these else None
    usage = MetricStore(engine).every_client(since, today, ids)
    complaints = complaints_by_client(engine, names, today, config, among)
    healths = [
        client_health(ClientSignals(record, usage.get(record.id, {}), complaints[record.id]), today, config)
        for record in records
    ]
    return sorted(healths, key=lambda health: (health.score, health.client))


def worsened(engine: Engine, today: date, healths: Sequence[ClientHealth]) -> list[StatusChange]:
    """Record today's scores, and return the clients that are red or whose status is worse than on
    the last day recorded before, worst first."""
    store = HealthStore(engine)
    before = store.before(today, [health.client for health in healths])
    store.record(today, healths)
    return [
        StatusChange(health, before.get(health.client))
        for health in healths
        if health.status == "red"
        or STATUS_RANK[health.status] > STATUS_RANK[before.get(health.client, "green")]
    ]


def _roster_names(engine: Engine) -> Callable[[], ClientNames]:
    return lambda: ClientNames.of((r.id, r.name) for r in ClientStore(engine).all())


def complaints_by_client(
    engine: Engine,
    names: Callable[[], ClientNames],
    today: date,
    config: HealthConfig,
    among: Collection[str] | None = None,
) -> Counter[str]:
    """Complaints and bugs filed for each client in the configured window before `today`; a
    customer name that matches no client is not counted for anyone."""
    days = int(config.thresholds["complaint_days"])
    since = datetime.combine(today - timedelta(days=days), time(0), tzinfo=UTC)
    until = datetime.combine(today, time(0), tzinfo=UTC)
    matched: dict[str, str | None] = {}
    counts: Counter[str] = Counter()
    roster: ClientNames | None = None  # read only when some filing names a customer
    for item in FeedbackStore(engine).items(since=since):
        if item.category not in COUNTED_CATEGORIES or not item.customer or as_utc(item.filed_at) >= until:
            continue
        if item.customer not in matched:
            roster = roster or names()
            matched[item.customer] = roster.match(item.customer, among)
        client = matched[item.customer]
        if client is not None:
            counts[client] += 1
    return counts
