"""Saved retrospectives: written whole in one transaction, then marked as posted and as indexed.

The two marks let a retro whose post or indexing failed be found and finished later: the team's
lessons only become playbook once they are in the knowledge index.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, DateTime, Integer, String, Text, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from bot.storage.engine import Base
from bot.storage.metrics import MetricStore
from knowledge.text import Lang
from skills.retro import RetroDraft, RetroText, previous_period, resolve_metric, retro_draft, retro_figures

SOURCE_PREFIX = "retro/"


if TYPE_CHECKING:
    from knowledge.ingest import IngestReport


class RetroRow(Base):
    __tablename__ = "retros"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200))
    goal: Mapped[str] = mapped_column(Text)
    result: Mapped[str] = mapped_column(Text)
    causes: Mapped[str] = mapped_column(Text)
    lessons: Mapped[str] = mapped_column(Text)
    metric: Mapped[str] = mapped_column(String(100), default="")
    start: Mapped[date | None] = mapped_column(Date, nullable=True)
    end: Mapped[date | None] = mapped_column(Date, nullable=True)
    author: Mapped[str] = mapped_column(String(50), default="")
    channel: Mapped[str] = mapped_column(String(50), default="")
    lang: Mapped[str] = mapped_column(String(2), default="en")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    posted_ts: Mapped[str | None] = mapped_column(String(40), nullable=True)
    indexed: Mapped[bool] = mapped_column(Boolean, default=False)


@dataclass(frozen=True)
class NewRetro:
    text: RetroText
    lang: Lang
    metric: str = ""
    start: date | None = None
    end: date | None = None
    author: str = ""
    """A Slack user id; empty when written on the command line."""
    channel: str = ""


@dataclass(frozen=True)
class Retro:
    id: int
    text: RetroText
    lang: Lang
    metric: str
    start: date | None
    end: date | None
    author: str
    channel: str
    created_at: datetime
    posted_ts: str | None
    indexed: bool

    @property
    def source(self) -> str:
        """Its name in the knowledge index (cited as title › step)."""
        return f"{SOURCE_PREFIX}{self.id}.md"


def _retro(row: RetroRow) -> Retro:
    text = RetroText(row.title, row.goal, row.result, row.causes, row.lessons)
    lang: Lang = "zh" if row.lang == "zh" else "en"
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
    return Retro(
        row.id,
        text,
        lang,
        row.metric,
        row.start,
        row.end,
        row.author,
        row.channel,
        created,
        row.posted_ts,
        row.indexed,
    )


class RetroStore:
    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def save(self, new: NewRetro, now: datetime | None = None) -> Retro:
        """The whole retro in one transaction, or nothing."""
        text = new.text
        row = RetroRow(
            title=text.title.strip(),
            goal=text.goal.strip(),
            result=text.result.strip(),
            causes=text.causes.strip(),
            lessons=text.lessons.strip(),
            metric=new.metric,
            start=new.start,
            end=new.end,
            author=new.author,
            channel=new.channel,
            lang=new.lang,
            created_at=now or datetime.now(UTC),
            posted_ts=None,
            indexed=False,
        )
        with self._sessions.begin() as session:
            session.add(row)
        return _retro(row)

    def get(self, retro_id: int) -> Retro | None:
        with self._sessions() as session:
            row = session.get(RetroRow, retro_id)
            return _retro(row) if row is not None else None

    def newest_first(self, limit: int = 100) -> list[Retro]:
        query = select(RetroRow).order_by(RetroRow.created_at.desc(), RetroRow.id.desc()).limit(limit)
        with self._sessions() as session:
            return [_retro(row) for row in session.scalars(query)]

    def not_indexed(self) -> list[Retro]:
        query = select(RetroRow).where(RetroRow.indexed.is_(False)).order_by(RetroRow.id)
        with self._sessions() as session:
            return [_retro(row) for row in session.scalars(query)]

    def mark_posted(self, retro_id: int, ts: str) -> None:
        with self._sessions.begin() as session:
            session.execute(update(RetroRow).where(RetroRow.id == retro_id).values(posted_ts=ts))

    def mark_indexed(self, retro_id: int) -> None:
        with self._sessions.begin() as session:
            session.execute(update(RetroRow).where(RetroRow.id == retro_id).values(indexed=True))


Ingest = Callable[[str, str, bytes], "IngestReport"]
"""`(source, file name, bytes)` into the knowledge index, as `KnowledgeService.ingest` does it."""


def index_retro(store: RetroStore, retro: Retro, markdown: str, ingest: Ingest) -> bool:
    """Put the retro in the knowledge index and mark it; False (and unmarked) when it was refused."""
    report = ingest(retro.source, f"retro-{retro.id}.md", markdown.encode("utf-8"))
    if report.refused:
        return False
    store.mark_indexed(retro.id)
    return True


def draft_from_metrics(
    metrics: MetricStore, metric_name: str, start: date, end: date, lang: Lang
) -> tuple[str, RetroDraft]:
    """(metric key, draft) from the business-wide series (client ""); SkillError for an unknown
    metric, with the closest names."""
    metric = resolve_metric(metric_name, metrics.metrics())
    series = metrics.series(metric, previous_period(start, end)[0], end)
    return metric, retro_draft(retro_figures(metric, start, end, series), lang)
