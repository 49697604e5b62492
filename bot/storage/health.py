"""Client health read from the stores: the roster, each client's usage metrics and the complaints
and bugs filed for it (feedback's customer names matched to client ids)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.engine import Engine

from bot.storage.clients import ClientStore
from bot.storage.feedback import FeedbackStore
from bot.storage.metrics import MetricStore
from skills.client_names import ClientNames
from skills.health import EARLIER_DAYS, RECENT_DAYS, ClientHealth, ClientSignals, HealthConfig, client_health

COUNTED_CATEGORIES = ("complaint", "bug")


def clients_health(engine: Engine, today: date, config: HealthConfig) -> list[ClientHealth]:
    """Every client on the roster, worst first (then by id)."""
    roster = ClientStore(engine).all()
    usage = MetricStore(engine).every_client(today - timedelta(days=RECENT_DAYS + EARLIER_DAYS), today)
    complaints = complaints_by_client(engine, [(r.id, r.name) for r in roster], today, config)
    healths = [
        client_health(ClientSignals(record, usage.get(record.id, {}), complaints[record.id]), today, config)
        for record in roster
    ]
    return sorted(healths, key=lambda health: (health.score, health.client))


def complaints_by_client(
    engine: Engine, clients: list[tuple[str, str]], today: date, config: HealthConfig
) -> Counter[str]:
    """Complaints and bugs filed for each client in the configured window before `today`; a
    customer name that matches no client is not counted for anyone."""
    days = int(config.thresholds["complaint_days"])
    since = datetime.combine(today - timedelta(days=days), time(0), tzinfo=UTC)
    until = datetime.combine(today, time(0), tzinfo=UTC)
    names = ClientNames.of(clients)
    matched: dict[str, str | None] = {}
    counts: Counter[str] = Counter()
    for item in FeedbackStore(engine).items(since=since):
        filed = item.filed_at if item.filed_at.tzinfo else item.filed_at.replace(tzinfo=UTC)
        if item.category not in COUNTED_CATEGORIES or not item.customer or filed >= until:
            continue
        if item.customer not in matched:
            matched[item.customer] = names.match(item.customer)
        client = matched[item.customer]
        if client is not None:
            counts[client] += 1
    return counts
