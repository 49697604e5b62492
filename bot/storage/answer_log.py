"""Every question opsbot was asked, what it answered, and what people thought of the answer.

The log is for evaluation, not ranking: votes never change what opsbot answers by themselves. An
admin turns the not-helpful and unanswered questions into a question file (`opsbot answers export
--eval`), writes what a good answer must say, and measures with `opsbot eval --answers`. Rows older
than a chosen day are deleted with `opsbot answers delete --before`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, SmallInteger, String, Text, delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from bot.storage.engine import Base

HELPFUL, NOT_HELPFUL = 1, -1


class AnswerRow(Base):
    __tablename__ = "answer_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    channel: Mapped[str] = mapped_column(String(64), default="")
    asker: Mapped[str] = mapped_column(String(64), default="")
    question: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(2), default="en")
    found: Mapped[bool] = mapped_column(Boolean)
    method: Mapped[str] = mapped_column(String(16), default="")
    answer: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[str] = mapped_column(Text, default="[]")
    """JSON list of the cited sources, as "document › section"."""


class VoteRow(Base):
    __tablename__ = "answer_votes"

    answer_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("answer_log.id", ondelete="CASCADE"), primary_key=True
    )
    voter: Mapped[str] = mapped_column(String(64), primary_key=True)
    vote: Mapped[int] = mapped_column(SmallInteger)
    reason: Mapped[str] = mapped_column(Text, default="")
    voted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class QuestionRecord:
    """One question as the log knows it: how often it was asked, answered and voted on."""

    question: str
    lang: str
    asked: int
    unanswered: int
    helpful: int
    not_helpful: int
    reasons: tuple[str, ...] = ()
    last_answer: str = ""


@dataclass(frozen=True)
class AnswerStats:
    answered: int
    unanswered: int
    helpful: int
    not_helpful: int
    worst: list[QuestionRecord] = field(default_factory=list)
    """Questions with more not-helpful votes than helpful ones, or never answered, worst first."""

    def as_json(self) -> dict[str, object]:
        return {
            "answered": self.answered,
            "unanswered": self.unanswered,
            "helpful": self.helpful,
            "not_helpful": self.not_helpful,
            "worst": [
                {
                    "question": q.question,
                    "lang": q.lang,
                    "asked": q.asked,
                    "unanswered": q.unanswered,
                    "helpful": q.helpful,
                    "not_helpful": q.not_helpful,
                    "reasons": list(q.reasons),
                }
                for q in self.worst
            ],
        }


class AnswerLog:
    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine)

    def record(
        self,
        question: str,
        lang: str,
        found: bool,
        method: str,
        answer: str,
        sources: list[str],
        channel: str = "",
        asker: str = "",
        asked_at: datetime | None = None,
    ) -> int:
        """Log one answer (or a question nothing answered); its id goes on the feedback buttons."""
        row = AnswerRow(
            asked_at=asked_at or datetime.now(UTC),
            channel=channel,
            asker=asker,
            question=question,
            lang=lang,
            found=found,
            method=method,
            answer=answer,
            sources=json.dumps(sources, ensure_ascii=False),
        )
        with self._sessions() as session:
            session.add(row)
            session.commit()
            return row.id

    def vote(self, answer_id: int, voter: str, vote: int, reason: str | None = None) -> bool:
        """A person's vote on an answer; voting again changes it. A reason given later (the 👎
        form) keeps the vote. False when the answer is no longer in the log."""
        with self._sessions() as session:
            if session.get(AnswerRow, answer_id) is None:
                return False
            row = session.get(VoteRow, (answer_id, voter))
            if row is None:
                row = VoteRow(answer_id=answer_id, voter=voter, vote=vote, reason="")
                session.add(row)
            row.vote = vote
            row.voted_at = datetime.now(UTC)
            if reason is not None:
                row.reason = reason.strip()[:2000]
            session.commit()
            return True

    def stats(
        self, since: datetime | None = None, worst: int = 10, until: datetime | None = None
    ) -> AnswerStats:
        """Counts over the answers asked from `since` to before `until` (None: no bound), and the
        worst questions."""
        with self._sessions() as session:
            query = select(AnswerRow)
            if since is not None:
                query = query.where(AnswerRow.asked_at >= since)
            if until is not None:
                query = query.where(AnswerRow.asked_at < until)
            rows = list(session.scalars(query.order_by(AnswerRow.id)))
            ids = [row.id for row in rows]
            votes = list(session.scalars(select(VoteRow).where(VoteRow.answer_id.in_(ids)))) if ids else []
        by_answer: dict[int, list[VoteRow]] = defaultdict(list)
        for vote in votes:
            by_answer[vote.answer_id].append(vote)
        records = _by_question(rows, by_answer) if worst else []  # counts alone (the weekly line)
        bad = [r for r in records if r.not_helpful > r.helpful or r.unanswered == r.asked]
        bad.sort(key=lambda r: (-(r.not_helpful - r.helpful), -r.unanswered, -r.asked, r.question))
        return AnswerStats(
            answered=sum(1 for row in rows if row.found),
            unanswered=sum(1 for row in rows if not row.found),
            helpful=sum(1 for vote in votes if vote.vote == HELPFUL),
            not_helpful=sum(1 for vote in votes if vote.vote == NOT_HELPFUL),
            worst=bad[:worst],
        )

    def to_evaluate(self, since: datetime | None = None) -> list[QuestionRecord]:
        """Every question that was voted not helpful or never answered, once each."""
        return self.stats(since, worst=1_000_000).worst

    def delete_before(self, moment: datetime) -> int:
        """Delete the answers asked before `moment`, with their votes; how many were deleted."""
        with self._sessions() as session:
            old = select(AnswerRow.id).where(AnswerRow.asked_at < moment)
            session.execute(delete(VoteRow).where(VoteRow.answer_id.in_(old)))
            removed = session.execute(delete(AnswerRow).where(AnswerRow.asked_at < moment))
            session.commit()
            return removed.rowcount or 0


def _by_question(rows: list[AnswerRow], votes: dict[int, list[VoteRow]]) -> list[QuestionRecord]:
    """The same question asked several times (spacing and case aside) is one record."""
    grouped: dict[str, list[AnswerRow]] = defaultdict(list)
    for row in rows:
        grouped[" ".join(row.question.lower().split())].append(row)
    records = []
    for asked in grouped.values():
        cast = [vote for row in asked for vote in votes.get(row.id, [])]
        answered = [row for row in asked if row.found]
        records.append(
            QuestionRecord(
                question=asked[-1].question,
                lang=asked[-1].lang,
                asked=len(asked),
                unanswered=len(asked) - len(answered),
                helpful=sum(1 for vote in cast if vote.vote == HELPFUL),
                not_helpful=sum(1 for vote in cast if vote.vote == NOT_HELPFUL),
                reasons=tuple(vote.reason for vote in cast if vote.reason),
                last_answer=answered[-1].answer if answered else "",
            )
        )
    return records
