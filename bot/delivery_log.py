"""The delivery log: one row per (owner, local day, kind), so a digest is sent once per day even
across restarts, retries and several bot processes.

A sender claims the key before sending (the unique key makes a second claim fail), records the
message when it is sent, and gives the claim back when sending fails, so a later scan retries.
A claim left by a process that died mid-send is taken over after STALE_CLAIM.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Date, DateTime, String, UniqueConstraint, delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from bot.storage import Base

STALE_CLAIM = timedelta(minutes=10)


class Delivery(Base):
    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("owner", "day", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    owner: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    """sending or sent."""
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    channel: Mapped[str | None] = mapped_column(String(64), nullable=True)
    ts: Mapped[str | None] = mapped_column(String(32), nullable=True)


class DeliveryLog:
    def __init__(self, engine: Engine) -> None:
        Base.metadata.create_all(engine)
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def claim(self, owner: str, day: date, kind: str, now: datetime | None = None) -> bool:
        """True when this caller should send; False when it was sent or another sender has it."""
        moment = now or datetime.now(UTC)
        with self._sessions() as session:
            try:
                session.add(Delivery(owner=owner, day=day, kind=kind, status="sending", claimed_at=moment))
                session.commit()
                return True
            except IntegrityError:
                session.rollback()
            taken = session.execute(
                update(Delivery)
                .where(
                    Delivery.owner == owner,
                    Delivery.day == day,
                    Delivery.kind == kind,
                    Delivery.status == "sending",
                    Delivery.claimed_at < moment - STALE_CLAIM,
                )
                .values(claimed_at=moment)
            )
            session.commit()
            return (taken.rowcount or 0) == 1

    def sent(self, owner: str, day: date, kind: str, channel: str, ts: str) -> None:
        with self._sessions() as session:
            session.execute(
                update(Delivery)
                .where(Delivery.owner == owner, Delivery.day == day, Delivery.kind == kind)
                .values(status="sent", channel=channel, ts=ts)
            )
            session.commit()

    def release(self, owner: str, day: date, kind: str) -> None:
        """Sending failed: the next scan may try again."""
        with self._sessions() as session:
            session.execute(
                delete(Delivery).where(
                    Delivery.owner == owner,
                    Delivery.day == day,
                    Delivery.kind == kind,
                    Delivery.status == "sending",
                )
            )
            session.commit()

    def sent_count(self, kind: str, day: date | None = None) -> int:
        query = select(Delivery).where(Delivery.kind == kind, Delivery.status == "sent")
        if day is not None:
            query = query.where(Delivery.day == day)
        with self._sessions() as session:
            return len(session.scalars(query).all())

    def last_sent(self, owner: str, kind: str) -> Delivery | None:
        query = (
            select(Delivery)
            .where(Delivery.owner == owner, Delivery.kind == kind, Delivery.status == "sent")
            .order_by(Delivery.day.desc())
        )
        with self._sessions() as session:
            return session.scalars(query).first()
