"""Goals in the relational store: added and closed from the command line or /ops goal, read by
the digest, the weekly summary and the retrospective prompt at a goal's end."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Date, DateTime, Float, Integer, String, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from bot.storage.engine import Base
from bot.storage.metrics import MetricStore
from skills.errors import SkillError
from skills.goals import PROFILE_WEEKS, Goal, GoalStatus, goal_status

CLOSEST_SHOWN = 3


class GoalRow(Base):
    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    metric: Mapped[str] = mapped_column(String(200))
    target: Mapped[float] = mapped_column(Float)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date, index=True)
    owner: Mapped[str] = mapped_column(String(64), default="")
    client: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    retro_asked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    """When the owner was asked for the retrospective of the ended period (asked once)."""

    def goal(self) -> Goal:
        return Goal(self.name, self.metric, self.target, self.start, self.end, self.owner, self.client)


@dataclass(frozen=True)
class StoredGoal:
    goal: Goal
    closed: bool


class GoalStore:
    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def add(self, goal: Goal) -> None:
        """SkillError when a goal of that name exists, in any case (closed ones too: names stay
        unique, so a name always means one goal)."""
        self.add_all([goal])

    def add_all(self, goals: Sequence[Goal]) -> None:
        """Every goal or none (one transaction); SkillError naming the first name already taken."""
        with self._sessions() as session:
            taken = {name.casefold() for name in session.scalars(select(GoalRow.name))}
            seen: set[str] = set()
            for goal in goals:
                if goal.name.casefold() in taken | seen:
                    raise _duplicate(goal.name)
                seen.add(goal.name.casefold())
            now = datetime.now(UTC)
            session.add_all(
                GoalRow(
                    name=goal.name,
                    metric=goal.metric,
                    target=goal.target,
                    start=goal.start,
                    end=goal.end,
                    owner=goal.owner,
                    client=goal.client,
                    created_at=now,
                )
                for goal in goals
            )
            try:
                session.commit()
            except IntegrityError:  # another process added one of them first
                session.rollback()
                raise _duplicate(goals[0].name) from None

    def goals(self, include_closed: bool = False) -> list[StoredGoal]:
        """Soonest end first."""
        query = select(GoalRow).order_by(GoalRow.end, GoalRow.name)
        if not include_closed:
            query = query.where(GoalRow.closed_at.is_(None))
        with self._sessions() as session:
            return [StoredGoal(row.goal(), row.closed_at is not None) for row in session.scalars(query)]

    def find(self, name: str) -> StoredGoal:
        """By name (case and spacing aside); SkillError naming the closest goals."""
        with self._sessions() as session:
            row = self._row(session, name)
            return StoredGoal(row.goal(), row.closed_at is not None)

    def close(self, name: str) -> Goal:
        """Closed goals leave the digest and the summaries; closing twice is refused."""
        with self._sessions() as session:
            row = self._row(session, name)
            if row.closed_at is not None:
                raise SkillError(f"{row.name!r} is already closed.", f"「{row.name}」已经关闭了。")
            row.closed_at = datetime.now(UTC)
            session.commit()
            return row.goal()

    def ended_without_retro(self, today: date) -> list[Goal]:
        """Open goals whose period is over and whose owner was not yet asked for the retrospective."""
        query = select(GoalRow).where(
            GoalRow.closed_at.is_(None), GoalRow.end < today, GoalRow.retro_asked_at.is_(None)
        )
        with self._sessions() as session:
            return [row.goal() for row in session.scalars(query.order_by(GoalRow.end))]

    def mark_retro_asked(self, name: str) -> None:
        with self._sessions() as session:
            row = self._row(session, name)
            row.retro_asked_at = datetime.now(UTC)
            session.commit()

    @staticmethod
    def _row(session, name: str) -> GoalRow:  # type: ignore[no-untyped-def]
        wanted = " ".join(name.split())
        rows = list(session.scalars(select(GoalRow)))
        found = [row for row in rows if row.name.casefold() == wanted.casefold()]
        if found:
            return found[0]
        if not rows:
            raise SkillError(
                "No goals yet: add one with `opsbot goal add` or `/ops goal add`.",
                "还没有目标:用 `opsbot goal add` 或 `/ops goal add` 添加。",
            )
        close = difflib.get_close_matches(wanted, [row.name for row in rows], n=CLOSEST_SHOWN, cutoff=0.4)
        shown = ", ".join(close)
        raise SkillError(
            f"There is no goal {wanted!r}." + (f" Did you mean: {shown}?" if shown else " See `goal list`."),
            f"没有名为「{wanted}」的目标。" + (f"是不是:{shown}?" if shown else "请看 `goal list`。"),
        )


def _duplicate(name: str) -> SkillError:
    return SkillError(
        f"There is already a goal called {name!r}; choose another name.",
        f"已经有名为「{name}」的目标,请换一个名字。",
    )


def goal_statuses(goals: Sequence[Goal], metrics: MetricStore, as_of: date) -> list[GoalStatus]:
    """Each goal where it stands at the end of `as_of`, from its metric's values (the goal's
    client's, or the whole business's); the values of the weeks before feed the weekday profile.
    One read per metric, however many goals and clients share it."""
    since: dict[str, date] = {}
    clients: dict[str, set[str]] = {}
    for goal in goals:
        earliest = min(goal.start, as_of - timedelta(days=7 * PROFILE_WEEKS))
        since[goal.metric] = min(earliest, since.get(goal.metric, earliest))
        clients.setdefault(goal.metric, set()).add(goal.client)
    series = {
        metric: metrics.series_by_client(metric, since[metric], as_of, clients[metric]) for metric in since
    }
    return [goal_status(goal, series[goal.metric][goal.client], as_of) for goal in goals]
