"""The client roster in the relational store: imported from CSV, read by renewals and weekly summaries."""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Boolean, Date, DateTime, Float, String, Text, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from bot.storage.engine import Base
from skills.client_names import ClientNames
from skills.client_roster import ClientRecord
from skills.errors import SkillError

CLOSEST_SHOWN = 3


class ClientRow(Base):
    __tablename__ = "clients"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    arr: Mapped[float | None] = mapped_column(Float, nullable=True)
    contract_end: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    owner: Mapped[str] = mapped_column(String(64), default="")
    dimension_values: Mapped[str] = mapped_column(Text, default="{}")
    """JSON: dimension → number, brand level or null."""
    key_contact_changed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    competitor_pressure: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    def record(self) -> ClientRecord:
        return ClientRecord(
            self.id,
            self.name,
            self.arr,
            self.contract_end,
            self.owner,
            json.loads(self.dimension_values or "{}"),
            self.key_contact_changed,
            self.competitor_pressure,
        )


@dataclass(frozen=True)
class RosterImport:
    added: int
    updated: int


class ClientStore:
    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def save(self, records: Sequence[ClientRecord]) -> RosterImport:
        """Add or replace each client, all in one transaction: the whole roster or nothing. Clients
        absent from the file are kept (a roster may be imported team by team)."""
        now = datetime.now(UTC)
        with self._sessions.begin() as session:
            known = set(
                session.scalars(select(ClientRow.id).where(ClientRow.id.in_([r.id for r in records])))
            )
            for record in records:
                session.merge(
                    ClientRow(
                        id=record.id,
                        name=record.name,
                        arr=record.arr,
                        contract_end=record.contract_end,
                        owner=record.owner,
                        dimension_values=json.dumps(dict(record.values), ensure_ascii=False),
                        key_contact_changed=record.key_contact_changed,
                        competitor_pressure=record.competitor_pressure,
                        updated_at=now,
                    )
                )
        return RosterImport(len(records) - len(known), len(known))

    def all(self) -> list[ClientRecord]:
        with self._sessions() as session:
            return [row.record() for row in session.scalars(select(ClientRow).order_by(ClientRow.id))]

    def owned_by(self, owner: str) -> list[ClientRecord]:
        with self._sessions() as session:
            query = select(ClientRow).where(ClientRow.owner == owner).order_by(ClientRow.id)
            return [row.record() for row in session.scalars(query)]

    def with_contract_end(self) -> list[ClientRecord]:
        query = select(ClientRow).where(ClientRow.contract_end.is_not(None)).order_by(ClientRow.contract_end)
        with self._sessions() as session:
            return [row.record() for row in session.scalars(query)]

    def find(self, query: str) -> ClientRecord:
        """By id, else by name (case and spacing aside); SkillError naming the closest clients."""
        wanted = " ".join(query.split())
        if not wanted:
            raise SkillError(
                "Name the client, e.g. `/ops renewal Acme`.", "请写上客户名称,例如 `/ops renewal 华星科技`。"
            )
        with self._sessions() as session:
            row = session.get(ClientRow, wanted)
            if row is not None:
                return row.record()
            rows = list(session.scalars(select(ClientRow)))
        folded = wanted.casefold()
        matches = [r for r in rows if r.name.casefold() == folded or r.id.casefold() == folded]
        if not matches and (close := ClientNames.of((r.id, r.name) for r in rows).match(wanted)) is not None:
            matches = [r for r in rows if r.id == close]  # company suffixes, spacing, a typo aside
        if not matches:  # a unique part of a name ("Acme" for "Acme Corp") is enough
            matches = [r for r in rows if folded in r.name.casefold()]
        if len(matches) == 1:
            return matches[0].record()
        if len(matches) > 1:
            ids = ", ".join(r.id for r in matches[:5])
            raise SkillError(
                f"Several clients are called {wanted!r}; use the id: {ids}.",
                f"有多个客户叫「{wanted}」,请改用编号:{ids}。",
            )
        if not rows:
            raise SkillError(
                "No clients yet: import the client list first (`opsbot clients import clients.csv`, or "
                "share the CSV and run `/ops clients`).",
                "还没有客户数据:请先导入客户清单(`opsbot clients import clients.csv`,或分享 CSV 后运行 "
                "`/ops clients`)。",
            )
        names = {r.name: r for r in rows} | {r.id: r for r in rows}
        close = difflib.get_close_matches(wanted, list(names), n=CLOSEST_SHOWN, cutoff=0.4)
        shown = ", ".join(close[:CLOSEST_SHOWN])
        raise SkillError(
            f"There is no client {wanted!r}." + (f" Did you mean: {shown}?" if shown else ""),
            f"没有名为「{wanted}」的客户。" + (f"是不是:{shown}?" if shown else ""),
        )
