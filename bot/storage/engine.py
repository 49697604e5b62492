"""Relational storage (SQLAlchemy; SQLite by default) for what must survive restarts and be shared."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, String, create_engine, delete, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker


class Base(DeclarativeBase):
    pass


class ProcessedEvent(Base):
    """A Slack event (or message) already taken on: the unique key makes redeliveries no-ops."""

    __tablename__ = "processed_events"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


_PREPARED: set[str] = set()
"""Databases whose schema this process has already made current (checked once per process)."""


def sqlite_url(home: Path) -> str:
    return f"sqlite:///{home / 'opsbot.db'}"


def create_db_engine(url: str, prepare_schema: bool = True) -> Engine:
    """An engine with SQLite tuned for several threads (WAL and a busy timeout instead of errors),
    its schema made current or checked (bot.storage.schema: SchemaOutdated when `opsbot migrate` is due)."""
    engine = create_engine(url, pool_pre_ping=True, **_server_limits(url))
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

    if prepare_schema and url not in _PREPARED:
        from bot.storage.schema import ensure_schema  # it imports every store, and they import this module

        ensure_schema(engine)
        _PREPARED.add(url)
    return engine


CONNECT_TIMEOUT_SECONDS = 5
POOL_TIMEOUT_SECONDS = 10
STATEMENT_TIMEOUT_MS = 60_000
LOCK_TIMEOUT_MS = 10_000


def _server_limits(url: str) -> dict[str, Any]:
    """A database server that is down or stuck must cost a request seconds, not minutes: PostgreSQL
    connections give up connecting after CONNECT_TIMEOUT_SECONDS, a request waits for a pooled
    connection at most POOL_TIMEOUT_SECONDS, and the server ends a statement stuck on a lock (or
    running away) on its own. The URL's own `options` (a workspace's search path) are kept."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return {}
    options = parsed.query.get("options", "")
    own = " ".join(options) if isinstance(options, tuple) else options
    limits = f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c lock_timeout={LOCK_TIMEOUT_MS}"
    return {
        "pool_timeout": POOL_TIMEOUT_SECONDS,
        "connect_args": {"connect_timeout": CONNECT_TIMEOUT_SECONDS, "options": f"{own} {limits}".strip()},
    }


def database_unreachable(error: OperationalError) -> str:
    """One line on a database that cannot be used, without the URL (it may hold a password)."""
    reason = str(error.orig or error).strip().splitlines()[0] if (error.orig or error) else "unknown"
    return f"Setting DATABASE_URL: the database cannot be used ({reason[:200]})."


class EventLedger:
    """Claims event keys atomically, so each event is answered once even across processes."""

    retention = timedelta(days=2)
    prune_every = timedelta(hours=1)

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine)
        self._last_pruned: datetime | None = None

    def claim(self, *keys: str, now: datetime | None = None) -> bool:
        """True when none of the keys was claimed before; then all of them are claimed together."""
        moment = now or datetime.now(UTC)
        if self._last_pruned is None or moment - self._last_pruned >= self.prune_every:
            self._last_pruned = moment
            self.prune(now=moment)
        session: Session
        with self._sessions() as session:
            try:
                session.add_all(
                    ProcessedEvent(key=key[:200], created_at=moment) for key in dict.fromkeys(keys)
                )
                session.commit()
            except IntegrityError:
                session.rollback()
                return False
        return True

    def prune(self, now: datetime | None = None) -> int:
        """Forget keys older than Slack's redelivery window (with a wide margin)."""
        cutoff = (now or datetime.now(UTC)) - self.retention
        with self._sessions() as session:
            result = session.execute(delete(ProcessedEvent).where(ProcessedEvent.created_at < cutoff))
            session.commit()
            return result.rowcount or 0


def as_utc(moment: datetime) -> datetime:
    """SQLite hands datetimes back without their zone; everything is stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
