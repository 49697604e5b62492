"""Owners (who gets a morning digest, where and when) and their private to-do lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import Boolean, Date, DateTime, Integer, String, Text, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from bot.storage.engine import Base
from skills.errors import SkillError
from skills.schedule import parse_time, parse_weekdays, parse_zone

DEFAULT_DIGEST_TIME = "09:00"
DEFAULT_WORKING_DAYS = "0,1,2,3,4"
MAX_TODO_CHARS = 500


class Owner(Base):
    __tablename__ = "owners"

    user: Mapped[str] = mapped_column(String(64), primary_key=True)
    tz: Mapped[str] = mapped_column(String(64))
    tz_overridden: Mapped[bool] = mapped_column(Boolean, default=False)
    """Set by the owner or an admin: Slack's profile time zone no longer replaces it."""
    digest_at: Mapped[str] = mapped_column(String(5), default=DEFAULT_DIGEST_TIME)
    working_days: Mapped[str] = mapped_column(String(20), default=DEFAULT_WORKING_DAYS)
    metrics: Mapped[str] = mapped_column(Text, default="")
    """Comma-separated metric keys; empty: the defaults."""
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    snoozed_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    """No digest up to and including this local day."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    @property
    def digest_time(self) -> time:
        return parse_time(self.digest_at)

    @property
    def weekdays(self) -> frozenset[int]:
        return frozenset(int(day) for day in self.working_days.split(",") if day)

    @property
    def metric_keys(self) -> list[str]:
        return [key for key in self.metrics.split(",") if key]


class Todo(Base):
    __tablename__ = "todos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)
    added_on: Mapped[date] = mapped_column(Date)
    """The owner's local day it was written."""
    done_on: Mapped[date | None] = mapped_column(Date, nullable=True)


@dataclass(frozen=True)
class OwnerChanges:
    """What `/ops digest …` and `opsbot owners set` may change; None leaves a setting alone."""

    tz: str | None = None
    digest_at: str | None = None
    working_days: str | None = None
    metrics: list[str] | None = None
    paused: bool | None = None
    snoozed_until: date | None = None
    clear_snooze: bool = False


class OwnerStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def get(self, user: str) -> Owner | None:
        with self._sessions() as session:
            return session.get(Owner, user)

    def ensure(self, user: str, tz: str, paused: bool = False) -> Owner:
        """The owner, created with time zone `tz` (validated) when unknown; `paused` creates one
        who gets no digest until they turn it on (people who only keep a to-do list)."""
        parse_zone(tz)
        with self._sessions() as session:
            owner = session.get(Owner, user)
            if owner is not None:
                return owner
            session.add(Owner(user=user, tz=tz, paused=paused, created_at=datetime.now(UTC)))
            try:
                session.commit()
            except IntegrityError:  # another process created them meanwhile
                session.rollback()
        found = self.get(user)
        assert found is not None
        return found

    def all(self) -> list[Owner]:
        with self._sessions() as session:
            return list(session.scalars(select(Owner).order_by(Owner.user)))

    def change(self, user: str, changes: OwnerChanges) -> Owner:
        """Apply checked changes (SkillError for a bad zone, time or day list; nothing changes then)."""
        values: dict[str, object] = {}
        if changes.tz is not None:
            values["tz"] = str(parse_zone(changes.tz))
            values["tz_overridden"] = True
        if changes.digest_at is not None:
            values["digest_at"] = parse_time(changes.digest_at).strftime("%H:%M")
        if changes.working_days is not None:
            values["working_days"] = ",".join(str(d) for d in sorted(parse_weekdays(changes.working_days)))
        if changes.metrics is not None:
            values["metrics"] = ",".join(changes.metrics)
        if changes.paused is not None:
            values["paused"] = changes.paused
        if changes.snoozed_until is not None or changes.clear_snooze:
            values["snoozed_until"] = changes.snoozed_until
        with self._sessions() as session:
            if session.get(Owner, user) is None:
                raise SkillError(f"{user} is not an owner yet.", f"{user} 还不是负责人。")
            if values:  # `owners set U1` alone signs them up with the defaults and changes nothing
                session.execute(update(Owner).where(Owner.user == user).values(**values))
                session.commit()
        owner = self.get(user)
        assert owner is not None
        return owner

    def follow_slack_zone(self, user: str, tz: str) -> None:
        """Take the time zone from the Slack profile unless the owner chose one."""
        with self._sessions() as session:
            session.execute(
                update(Owner).where(Owner.user == user, Owner.tz_overridden.is_(False)).values(tz=tz)
            )
            session.commit()


class TodoStore:
    """To-dos are private: every read and change is scoped to one owner."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def add(self, owner: str, text: str, today: date) -> Todo:
        cleaned = " ".join(text.split())
        if not cleaned:
            raise SkillError(
                "Write the to-do after the command, e.g. `/ops todo add call Acme about the renewal`.",
                "请把待办写在命令后面,例如 `/ops todo add 给华星打电话谈续约`。",
            )
        if len(cleaned) > MAX_TODO_CHARS:
            raise SkillError(
                f"A to-do is limited to {MAX_TODO_CHARS} characters; keep the first line and link the rest.",
                f"一条待办最多 {MAX_TODO_CHARS} 个字符;请只写要点,其余放链接。",
            )
        with self._sessions() as session:
            todo = Todo(owner=owner, text=cleaned, added_on=today)
            session.add(todo)
            session.commit()
            return todo

    def open_items(self, owner: str) -> list[Todo]:
        """Not done yet, oldest first (those from earlier days are the carry-over)."""
        query = select(Todo).where(Todo.owner == owner, Todo.done_on.is_(None)).order_by(Todo.id)
        with self._sessions() as session:
            return list(session.scalars(query))

    def done_on(self, owner: str, day: date) -> list[Todo]:
        query = select(Todo).where(Todo.owner == owner, Todo.done_on == day).order_by(Todo.id)
        with self._sessions() as session:
            return list(session.scalars(query))

    def done_between(self, start: date, end: date) -> list[Todo]:
        """Every owner's to-dos marked done from `start` to `end` (inclusive), by owner then id: the
        weekly summary counts them per owner."""
        query = (
            select(Todo)
            .where(Todo.done_on.is_not(None), Todo.done_on >= start, Todo.done_on <= end)
            .order_by(Todo.owner, Todo.id)
        )
        with self._sessions() as session:
            return list(session.scalars(query))

    def owner_of(self, todo_id: int) -> str | None:
        with self._sessions() as session:
            todo = session.get(Todo, todo_id)
            return todo.owner if todo is not None else None

    def mark_done(self, owner: str | None, todo_id: int, today: date) -> Todo:
        """Done by id; with `owner`, only that owner's item (anyone else's is "not found")."""
        with self._sessions() as session:
            todo = session.get(Todo, todo_id)
            if todo is None or (owner is not None and todo.owner != owner):
                raise SkillError(
                    f"There is no to-do {todo_id} in your list; `/ops todo` shows the list.",
                    f"你的清单里没有第 {todo_id} 条待办;`/ops todo` 可查看清单。",
                )
            if todo.done_on is None:
                todo.done_on = today
                session.commit()
            return todo
