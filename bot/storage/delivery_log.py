"""The delivery log: one row per (owner, local day, kind), so a digest is sent once per day across
restarts, retries and several bot processes.

A sender claims the key before sending (the unique key makes a second claim fail) and gets a token;
only the token's holder may record the message as sent, give the claim back after a failure that a
later scan may retry, or mark it failed for good (the owner's account is gone, say).

Two failures leave it unknown whether Slack has the message: the call timed out or failed in transit
(Slack may have posted it and not answered in time), or the process died between Slack accepting the
message and the log recording it. The first keeps the row as `retry`; the second leaves a `sending`
claim that is taken over, with a new token, after STALE_CLAIM. Either way the next claim carries
`earlier` (when that attempt began), and the sender looks in Slack for the message before posting
again: every scheduled message carries its key as message metadata (bot.slack.delivery).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Date, DateTime, String, UniqueConstraint, delete, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from bot.storage.engine import Base, as_utc

log = logging.getLogger(__name__)
STALE_CLAIM = timedelta(minutes=10)
"""A `sending` claim older than this is from a process that died (a send, retries included, takes
well under it): another sender takes it over, after looking for the message in Slack."""
SETTLED = ("sent", "failed")


class Delivery(Base):
    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("owner", "day", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    owner: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    """sending, retry (an attempt failed and may have reached Slack), sent or failed."""
    token: Mapped[str] = mapped_column(String(32), default="")
    error: Mapped[str | None] = mapped_column(String(100), nullable=True)
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    channel: Mapped[str | None] = mapped_column(String(64), nullable=True)
    ts: Mapped[str | None] = mapped_column(String(32), nullable=True)


@dataclass(frozen=True)
class DeliveryKey:
    """What is delivered once: `kind` (a digest, a renewal reminder…) for `owner` on `day`."""

    owner: str
    day: date
    kind: str


@dataclass(frozen=True)
class Claim:
    """The right to send `key`, held with `token`. `earlier` is when the last attempt began that
    may have reached Slack: the sender looks for that message before posting (None: none may have)."""

    key: DeliveryKey
    token: str
    earlier: datetime | None = None


class DeliveryLog:
    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def claim(self, owner: str, day: date, kind: str, now: datetime | None = None) -> Claim | None:
        """A claim when this caller should send; None when it was sent, failed for good, or another
        sender holds a fresh claim."""
        moment = now or datetime.now(UTC)
        key = DeliveryKey(owner, day, kind)
        token = uuid.uuid4().hex
        with self._sessions() as session:
            try:
                session.add(
                    Delivery(
                        owner=owner,
                        day=day,
                        kind=kind,
                        status="sending",
                        claimed_at=moment,
                        token=token,
                    )
                )
                session.commit()
                return Claim(key, token)
            except IntegrityError:
                session.rollback()
            row = session.execute(
                select(Delivery.status, Delivery.token, Delivery.claimed_at).where(*self._key(key))
            ).first()
            if row is None or not _takeable(row.status, as_utc(row.claimed_at), moment):
                return None
            taken = session.execute(  # the old token in the condition: one of two racing takers wins
                update(Delivery)
                .where(*self._key(key), Delivery.status == row.status, Delivery.token == row.token)
                .values(status="sending", claimed_at=moment, token=token)
            )
            session.commit()
            if (taken.rowcount or 0) != 1:
                return None
            return Claim(key, token, earlier=as_utc(row.claimed_at))

    @staticmethod
    def _key(key: DeliveryKey) -> tuple:  # type: ignore[type-arg]
        return (Delivery.owner == key.owner, Delivery.day == key.day, Delivery.kind == key.kind)

    def sent(self, claim: Claim, channel: str, ts: str) -> None:
        self._finish(claim, status="sent", channel=channel, ts=ts)

    def failed(self, claim: Claim, error: str) -> None:
        """Give up on this day (a permanent error): no retry until the next day."""
        self._finish(claim, status="failed", error=error[:100])

    def _finish(self, claim: Claim, **values: str) -> None:
        with self._sessions() as session:
            session.execute(
                update(Delivery).where(*self._key(claim.key), Delivery.token == claim.token).values(**values)
            )
            session.commit()

    def release(self, claim: Claim, maybe_sent: bool = False) -> None:
        """Sending failed for a reason that may pass: the next scan may try again. When the message
        may have reached Slack anyway (`maybe_sent`), or an earlier attempt's may have, the row stays
        as `retry` so the next sender looks in Slack first."""
        with self._sessions() as session:
            mine = (*self._key(claim.key), Delivery.status == "sending", Delivery.token == claim.token)
            if maybe_sent or claim.earlier is not None:
                session.execute(update(Delivery).where(*mine).values(status="retry"))
            else:
                session.execute(delete(Delivery).where(*mine))
            session.commit()

    def sent_count(self, kind: str, day: date | None = None) -> int:
        query = (
            select(func.count()).select_from(Delivery).where(Delivery.kind == kind, Delivery.status == "sent")
        )
        if day is not None:
            query = query.where(Delivery.day == day)
        with self._sessions() as session:
            return int(session.scalar(query) or 0)

    def settled(self, kind_prefix: str, days: set[date] | None = None) -> set[tuple[str, date, str]]:
        """(owner, day, kind) of the deliveries sent or failed for good whose kind starts with
        `kind_prefix` (on `days` only, when given): one query, so a scan need not try to claim each
        of them again. Claims being sent or to retry are left out: `claim` decides on those."""
        query = select(Delivery.owner, Delivery.day, Delivery.kind).where(
            Delivery.kind.startswith(kind_prefix), Delivery.status.in_(SETTLED)
        )
        if days is not None:
            query = query.where(Delivery.day.in_(sorted(days)))
        with self._sessions() as session:
            return {(owner, day, kind) for owner, day, kind in session.execute(query)}

    def last_sent(self, owner: str, kind: str) -> Delivery | None:
        query = (
            select(Delivery)
            .where(Delivery.owner == owner, Delivery.kind == kind, Delivery.status == "sent")
            .order_by(Delivery.day.desc())
        )
        with self._sessions() as session:
            return session.scalars(query).first()


def _takeable(status: str, claimed_at: datetime, now: datetime) -> bool:
    """A row a new claim may take: a failed attempt to retry, or a claim whose sender died."""
    return status == "retry" or (status == "sending" and claimed_at < now - STALE_CLAIM)
