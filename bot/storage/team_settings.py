"""Settings a team changes from Slack rather than on the server, kept in the team's own database (one
per workspace when opsbot serves several), so every process reads the same choice."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, String, delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from bot.storage.engine import Base

WEEKLY_CHANNEL = "weekly_channel"
WEEKLY_AT = "weekly_at"


class TeamSetting(Base):
    __tablename__ = "team_settings"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(500))
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TeamSettings:
    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine)

    def get(self, name: str) -> str | None:
        with self._sessions() as session:
            return session.scalar(select(TeamSetting.value).where(TeamSetting.name == name))

    def put(self, values: dict[str, str], by: str) -> None:
        """Set several settings together (one transaction: a reader never sees half a choice)."""
        moment = datetime.now(UTC)
        with self._sessions() as session:
            for name, value in values.items():
                session.merge(TeamSetting(name=name, value=value, changed_by=by, changed_at=moment))
            session.commit()

    def clear(self, *names: str) -> bool:
        """Remove the settings; False when none was set."""
        with self._sessions() as session:
            removed = session.execute(delete(TeamSetting).where(TeamSetting.name.in_(names)))
            session.commit()
            return (removed.rowcount or 0) > 0

    def weekly(self) -> tuple[str, str] | None:
        """The channel and `weekly_at` chosen with `/ops weekly channel here`, or None."""
        with self._sessions() as session:
            query = select(TeamSetting.name, TeamSetting.value).where(
                TeamSetting.name.in_((WEEKLY_CHANNEL, WEEKLY_AT))
            )
            rows = {name: value for name, value in session.execute(query)}
        channel = rows.get(WEEKLY_CHANNEL)
        return (channel, rows.get(WEEKLY_AT) or "mon 10:00") if channel else None
