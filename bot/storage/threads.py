"""The threads opsbot has answered in: a plain reply there may be for opsbot; a reply anywhere else
is people talking among themselves, and opsbot does not read that thread at all."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, String, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from bot.storage.engine import Base


class AnsweredThread(Base):
    __tablename__ = "answered_threads"

    channel: Mapped[str] = mapped_column(String(64), primary_key=True)
    thread_ts: Mapped[str] = mapped_column(String(40), primary_key=True)
    first_answer_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ThreadStore:
    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine)

    def remember(self, channel: str, thread_ts: str) -> None:
        """opsbot answers in this thread (again: nothing changes)."""
        with self._sessions() as session:
            if session.get(AnsweredThread, (channel, thread_ts)) is not None:
                return
            session.add(
                AnsweredThread(channel=channel, thread_ts=thread_ts, first_answer_at=datetime.now(UTC))
            )
            try:
                session.commit()
            except IntegrityError:  # another process remembered it first
                session.rollback()

    def answered_in(self, channel: str, thread_ts: str) -> bool:
        with self._sessions() as session:
            found = select(AnsweredThread.channel).where(
                AnsweredThread.channel == channel, AnsweredThread.thread_ts == thread_ts
            )
            return session.scalar(found) is not None
