"""Filed feedback in the relational store: one row per item, one per triage route.

Every write is one transaction, so an item is either filed whole or not at all, and the unique
`dedupe_key` (the Slack message, the command's trigger) makes a repeated delivery find the item
already filed instead of filing it twice.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import DateTime, Float, Integer, LargeBinary, String, Text, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from bot.storage.engine import Base, as_utc
from skills.feedback_categories import Category, Classification, LabeledExample, Status
from skills.feedback_groups import DIMENSIONS, Earlier, Meaning, Report, best_group

GROUPING_WINDOW_ITEMS = 10_000
"""How many recent items a new one is compared with for near-duplicates."""


class FeedbackItem(Base):
    __tablename__ = "feedback_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    text: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32), index=True)
    confidence: Mapped[float] = mapped_column(Float)
    deciding_words: Mapped[str] = mapped_column(Text, default="[]")
    method: Mapped[str] = mapped_column(String(16), default="offline")
    original_category: Mapped[str | None] = mapped_column(String(32), nullable=True)
    corrected_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    corrected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    status_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    customer: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    reporter: Mapped[str] = mapped_column(String(64))
    """Who raised it: the author of the filed message, or the person filing."""
    filed_by: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))
    """shortcut, command, mention or cli."""
    channel: Mapped[str | None] = mapped_column(String(64), nullable=True)
    message_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    permalink: Mapped[str | None] = mapped_column(String(500), nullable=True)
    said_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    group_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    fingerprint: Mapped[str] = mapped_column(Text, default="")
    routed_channel: Mapped[str | None] = mapped_column(String(64), nullable=True)
    routed_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    lang: Mapped[str] = mapped_column(String(2), default="en")
    grouped_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """Who put it in its group by hand (merge or split); automatic grouping never moves it then."""
    grouped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    meaning: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)
    """The vectors grouping compares (skills.feedback_groups.Meaning.pack); None if filed without."""

    @property
    def words(self) -> list[str]:
        return list(json.loads(self.deciding_words or "[]"))


class FeedbackRoute(Base):
    __tablename__ = "feedback_routes"

    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(64))
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class NewFeedback:
    """What the three ways of filing (and the CLI) know about a piece of feedback."""

    dedupe_key: str
    text: str
    reporter: str
    filed_by: str
    source: str
    lang: str
    customer: str | None = None
    channel: str | None = None
    message_ts: str | None = None
    permalink: str | None = None
    said_at: datetime | None = None


@dataclass(frozen=True)
class Filed:
    item: FeedbackItem
    created: bool
    """False when the same message (or command) was filed before: `item` is that earlier filing."""
    group_size: int
    group_customers: int
    first_in_group: FeedbackItem | None
    """The earliest item of the group when this one joined an existing group."""


@dataclass(frozen=True)
class GroupCount:
    group_id: int
    items: int
    customers: int
    first: FeedbackItem


@dataclass(frozen=True)
class GroupingRow:
    """One filed item as grouping reads it."""

    id: int
    group: int
    text: str
    category: str
    meaning: Meaning | None
    grouped_by: str | None

    def report(self, meaning: Meaning | None = None) -> Report:
        """What grouping compares; `meaning` stands in for a missing stored one."""
        return Report.of(self.id, self.group, self.text, self.category, self.meaning or meaning)


def _grouping_rows(
    session: Session, after_id: int = 0, limit: int = GROUPING_WINDOW_ITEMS
) -> list[GroupingRow]:
    """The newest `limit` items filed after `after_id`, oldest first."""
    rows = session.execute(
        select(
            FeedbackItem.id,
            FeedbackItem.group_id,
            FeedbackItem.text,
            FeedbackItem.category,
            FeedbackItem.meaning,
            FeedbackItem.grouped_by,
        )
        .where(FeedbackItem.id > after_id)
        .order_by(FeedbackItem.id.desc())
        .limit(limit)
    ).all()
    return [
        GroupingRow(id_, group or id_, text, category, Meaning.unpack(meaning, DIMENSIONS), by)
        for id_, group, text, category, meaning, by in reversed(rows)
    ]


class _Window:
    """The last GROUPING_WINDOW_ITEMS items as grouping compares them, kept between filings: a
    filing reads only the items filed since (by any process) and every item's current group."""

    def __init__(self) -> None:
        self.earlier = Earlier()
        self.ids: list[int] = []
        self.lock = threading.Lock()

    def refresh(self, session: Session) -> Earlier:
        rows = _grouping_rows(session, after_id=self.ids[-1] if self.ids else 0)
        if len(self.ids) + len(rows) > GROUPING_WINDOW_ITEMS * 3 // 2:
            self.earlier, self.ids = Earlier(), []  # start again from the newest
            return self.refresh(session)
        for row in rows:
            self.earlier.add(row.report())
            self.ids.append(row.id)
        if self.ids:  # groups change when people merge or split them
            current = dict(
                session.execute(
                    select(FeedbackItem.id, FeedbackItem.group_id).where(FeedbackItem.id >= self.ids[0])
                ).all()
            )
            self.earlier.groups = [current.get(id_) or id_ for id_ in self.ids]
        return self.earlier


class FeedbackStore:
    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._window = _Window()

    def file(
        self,
        new: NewFeedback,
        classification: Classification,
        now: datetime | None = None,
        meaning: Meaning | None = None,
    ) -> Filed:
        """Write the item (grouped with the earlier reports of the same problem) or return the
        earlier filing. `meaning`: its vectors, when the models were ready (else its words group it)."""
        moment = now or datetime.now(UTC)
        existing = self.by_key(new.dedupe_key)
        if existing is not None:
            return self.view(existing, created=False)
        report = Report.of(0, 0, new.text, classification.category, meaning)
        with self._sessions() as session:
            with self._window.lock:
                match = best_group(report, self._window.refresh(session))
            item = FeedbackItem(
                dedupe_key=new.dedupe_key[:200],
                text=new.text,
                category=classification.category,
                confidence=classification.confidence,
                deciding_words=json.dumps(list(classification.deciding_words), ensure_ascii=False),
                method=classification.method,
                status="new",
                customer=(new.customer or "").strip()[:200] or None,
                reporter=new.reporter,
                filed_by=new.filed_by,
                source=new.source,
                channel=new.channel,
                message_ts=new.message_ts,
                permalink=new.permalink,
                said_at=new.said_at or moment,
                filed_at=moment,
                group_id=match[0] if match else None,
                fingerprint=" ".join(report.words),
                lang=new.lang,
                meaning=meaning.pack() if meaning else None,
            )
            session.add(item)
            try:
                session.flush()
                if item.group_id is None:
                    item.group_id = item.id
                session.commit()
            except IntegrityError:
                session.rollback()
                earlier = self.by_key(new.dedupe_key)
                if earlier is None:
                    raise
                return self.view(earlier, created=False)
        return self.view(item, created=True)

    def has_meaning(self, item_id: int) -> bool:
        with self._sessions() as session:
            stored = session.scalar(select(FeedbackItem.meaning).where(FeedbackItem.id == item_id))
        return Meaning.unpack(stored, DIMENSIONS) is not None

    def set_meanings(self, meanings: dict[int, Meaning]) -> None:
        """Store the vectors of items filed without them (each keeps the group its words gave it),
        in one transaction."""
        with self._sessions() as session:
            for item_id, meaning in meanings.items():
                session.execute(
                    update(FeedbackItem).where(FeedbackItem.id == item_id).values(meaning=meaning.pack())
                )
            session.commit()
        with self._window.lock:  # read again at the next filing, now with these vectors
            self._window = _Window()

    def view(self, item: FeedbackItem, created: bool = True) -> Filed:
        """The item with its group's size, customers and first item."""
        members = self.group_members(item.group_id or item.id)
        first = members[0] if members and members[0].id != item.id else None
        return Filed(item, created, len(members), _customer_count(members), first)

    def by_key(self, dedupe_key: str) -> FeedbackItem | None:
        with self._sessions() as session:
            return session.scalars(
                select(FeedbackItem).where(FeedbackItem.dedupe_key == dedupe_key[:200])
            ).first()

    def get(self, item_id: int) -> FeedbackItem | None:
        with self._sessions() as session:
            return session.get(FeedbackItem, item_id)

    def group_members(self, group_id: int) -> list[FeedbackItem]:
        with self._sessions() as session:
            return list(
                session.scalars(
                    select(FeedbackItem).where(FeedbackItem.group_id == group_id).order_by(FeedbackItem.id)
                )
            )

    def update_classification(self, item_id: int, classification: Classification) -> FeedbackItem | None:
        """Replace the first guess (pending, or the LLM's second opinion) unless a person corrected
        it: the condition is part of the UPDATE, so a correction made meanwhile is never overwritten."""
        with self._sessions() as session:
            session.execute(
                update(FeedbackItem)
                .where(FeedbackItem.id == item_id, FeedbackItem.corrected_by.is_(None))
                .values(
                    category=classification.category,
                    confidence=classification.confidence,
                    deciding_words=json.dumps(list(classification.deciding_words), ensure_ascii=False),
                    method=classification.method,
                )
            )
            session.commit()
        return self.get(item_id)

    def correct(
        self, item_id: int, category: Category, user: str, now: datetime | None = None
    ) -> FeedbackItem:
        with self._sessions() as session:
            item = session.get(FeedbackItem, item_id)
            if item is None:
                raise KeyError(item_id)
            if item.category != category:
                item.original_category = item.original_category or item.category
                item.category = category
            item.corrected_by = user
            item.corrected_at = now or datetime.now(UTC)
            session.commit()
            return item

    def merge(
        self, item_ids: Sequence[int], into_id: int, user: str, now: datetime | None = None
    ) -> FeedbackItem:
        """A person says items `item_ids` raise the same problem as `into_id`: they join its group,
        for good, all or none (KeyError names the first missing item). Returns the target."""
        with self._sessions() as session:
            target = session.get(FeedbackItem, into_id)
            if target is None:
                raise KeyError(into_id)
            items = []
            for item_id in item_ids:
                item = session.get(FeedbackItem, item_id)
                if item is None:
                    raise KeyError(item_id)  # before anything changed: all or none
                items.append(item)
            group = target.group_id or target.id
            for item in items:
                if (item.group_id or item.id) != group:
                    _hand_over(session, item)
                    item.group_id = group
                item.grouped_by, item.grouped_at = user, now or datetime.now(UTC)
            session.commit()
            return target

    def split(self, item_id: int, user: str, now: datetime | None = None) -> FeedbackItem:
        """A person says item `item_id` is a problem of its own: it leaves its group, for good."""
        with self._sessions() as session:
            item = session.get(FeedbackItem, item_id)
            if item is None:
                raise KeyError(item_id)
            _hand_over(session, item)
            item.group_id = item.id
            item.grouped_by, item.grouped_at = user, now or datetime.now(UTC)
            session.commit()
            return item

    def grouping_rows(self, limit: int = GROUPING_WINDOW_ITEMS) -> list[GroupingRow]:
        """The newest `limit` items as grouping reads them, oldest first."""
        with self._sessions() as session:
            return _grouping_rows(session, limit=limit)

    def set_groups(self, groups: dict[int, int]) -> None:
        """Automatic regrouping: item id → group id. Items a person grouped are left alone."""
        with self._sessions() as session:
            for item_id, group in groups.items():
                session.execute(
                    update(FeedbackItem)
                    .where(FeedbackItem.id == item_id, FeedbackItem.grouped_by.is_(None))
                    .values(group_id=group)
                )
            session.commit()

    def set_status(self, item_id: int, status: Status, user: str) -> FeedbackItem:
        with self._sessions() as session:
            item = session.get(FeedbackItem, item_id)
            if item is None:
                raise KeyError(item_id)
            item.status = status
            item.status_by = user
            session.commit()
            return item

    def set_permalink(self, item_id: int, permalink: str) -> FeedbackItem | None:
        with self._sessions() as session:
            item = session.get(FeedbackItem, item_id)
            if item is not None:
                item.permalink = permalink[:500]
                session.commit()
            return item

    def claim_route(self, item_id: int, channel: str) -> bool:
        """Take the job of posting the item in `channel`; False when it is (being) posted there."""
        with self._sessions() as session:
            result = session.execute(
                update(FeedbackItem)
                .where(
                    FeedbackItem.id == item_id,
                    (FeedbackItem.routed_channel.is_(None)) | (FeedbackItem.routed_channel != channel),
                )
                .values(routed_channel=channel, routed_ts=None)
            )
            session.commit()
            return (result.rowcount or 0) == 1

    def finish_route(self, item_id: int, ts: str | None) -> None:
        """Record the triage post, or (ts None: posting failed) give the claim back."""
        with self._sessions() as session:
            values = {"routed_ts": ts} if ts is not None else {"routed_channel": None, "routed_ts": None}
            session.execute(update(FeedbackItem).where(FeedbackItem.id == item_id).values(**values))
            session.commit()

    def corrections(self) -> list[LabeledExample]:
        """Items a person put in a category: the team's own labeled examples."""
        with self._sessions() as session:
            rows = session.execute(
                select(FeedbackItem.text, FeedbackItem.category).where(FeedbackItem.corrected_by.is_not(None))
            ).all()
        return [LabeledExample(text, category) for text, category in rows]  # type: ignore[arg-type]

    def group_firsts(self, group_ids: Iterable[int]) -> dict[int, FeedbackItem]:
        """The first report of each group (its earliest member), by group id."""
        wanted = sorted(set(group_ids))
        firsts: dict[int, FeedbackItem] = {}
        with self._sessions() as session:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                earliest = (
                    select(FeedbackItem.group_id, func.min(FeedbackItem.id).label("first"))
                    .where(FeedbackItem.group_id.in_(chunk))
                    .group_by(FeedbackItem.group_id)
                    .subquery()
                )
                rows = session.execute(
                    select(earliest.c.group_id, FeedbackItem).join(
                        FeedbackItem, FeedbackItem.id == earliest.c.first
                    )
                ).all()
                firsts.update({group: item for group, item in rows})
        return firsts

    def items(
        self,
        since: datetime | None = None,
        category: str | None = None,
        status: str | None = None,
        limit: int | None = None,
    ) -> list[FeedbackItem]:
        """Newest filings first; `since` counts from when items were filed."""
        query = select(FeedbackItem).order_by(FeedbackItem.id.desc())
        if since is not None:
            query = query.where(FeedbackItem.filed_at >= since)
        if category is not None:
            query = query.where(FeedbackItem.category == category)
        if status is not None:
            query = query.where(FeedbackItem.status == status)
        if limit is not None:
            query = query.limit(limit)
        with self._sessions() as session:
            return list(session.scalars(query))

    def counts(self, since: datetime | None = None) -> dict[tuple[str, str], int]:
        """(category, status) → items."""
        query = select(FeedbackItem.category, FeedbackItem.status, func.count()).group_by(
            FeedbackItem.category, FeedbackItem.status
        )
        if since is not None:
            query = query.where(FeedbackItem.filed_at >= since)
        with self._sessions() as session:
            return {(category, status): count for category, status, count in session.execute(query)}

    def top_groups(
        self, since: datetime | None = None, limit: int = 5, category: str | None = None, at_least: int = 2
    ) -> list[GroupCount]:
        """Groups raised `at_least` times in the period, by how many customers raised them."""
        members: dict[int, list[FeedbackItem]] = {}
        for item in self.items(since=since, category=category):
            members.setdefault(item.group_id or item.id, []).append(item)
        repeated = [
            GroupCount(group, len(items), _customer_count(items), min(items, key=lambda i: i.id))
            for group, items in members.items()
            if len(items) >= at_least
        ]
        repeated.sort(key=lambda g: (-g.customers, -g.items, g.group_id))
        return repeated[:limit]

    def set_route(self, category: Category, channel: str | None, user: str) -> None:
        """Send new items of `category` to `channel` (None stops routing it)."""
        with self._sessions() as session:
            route = session.get(FeedbackRoute, category)
            if channel is None:
                if route is not None:
                    session.delete(route)
            elif route is None:
                session.add(
                    FeedbackRoute(category=category, channel=channel, set_by=user, set_at=datetime.now(UTC))
                )
            else:
                route.channel, route.set_by, route.set_at = channel, user, datetime.now(UTC)
            session.commit()

    def route_times(self) -> dict[str, datetime]:
        """When each category's route was set (items filed before it are not posted there)."""
        with self._sessions() as session:
            return {route.category: as_utc(route.set_at) for route in session.scalars(select(FeedbackRoute))}

    def unfinished(self, since: datetime) -> list[FeedbackItem]:
        """Items filed since `since` that are still pending or were never posted for triage."""
        query = select(FeedbackItem).where(
            FeedbackItem.filed_at >= since,
            (FeedbackItem.method == "pending") | FeedbackItem.routed_ts.is_(None),
        )
        with self._sessions() as session:
            return list(session.scalars(query.order_by(FeedbackItem.id)))

    def routes(self) -> dict[str, str]:
        with self._sessions() as session:
            return {route.category: route.channel for route in session.scalars(select(FeedbackRoute))}


def _hand_over(session: Session, leaving: FeedbackItem) -> None:
    """When the item a group is named after leaves it, the group takes the name of its next
    earliest member (a group is named after its first report)."""
    rest = session.scalars(
        select(FeedbackItem)
        .where(FeedbackItem.group_id == leaving.id, FeedbackItem.id != leaving.id)
        .order_by(FeedbackItem.id)
    ).all()
    for member in rest:
        member.group_id = rest[0].id


def _customer_count(items: Sequence[FeedbackItem]) -> int:
    """Distinct named customers (items filed without one are counted as items only)."""
    return len({item.customer.strip().lower() for item in items if item.customer and item.customer.strip()})
