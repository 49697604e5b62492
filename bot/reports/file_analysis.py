"""RFM and tiers from an uploaded CSV: one place that turns bytes into a Slack reply plus files to share."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import Literal

from bot.core.charts import rfm_chart, tier_chart
from bot.core.config import Settings
from bot.core.team_files import tier_config
from bot.reports.blocks import rfm_message, tier_message
from bot.reports.rfm import customers_csv
from bot.reports.tiers import clients_csv
from bot.slack.files import Upload
from bot.slack.text import escape
from skills.clients_csv import find_columns, parse_clients
from skills.csv_files import csv_reader, decode
from skills.errors import Lang, SkillError
from skills.rfm import segment_rfm
from skills.tiers import DIMENSIONS, score_clients
from skills.transactions_csv import find_column, parse_as_of, parse_transactions

Kind = Literal["rfm", "tier"]
_TIER_WORDS = ("tier", "tiers", "score", "分层", "评分", "客户分层", "价值评分")
_RFM_WORDS = ("rfm",)


@dataclass(frozen=True)
class Analysis:
    payload: dict  # type: ignore[type-arg]
    uploads: list[Upload]
    comment: str


def kind_in(text: str) -> Kind | None:
    """The analysis a message asks for by name (`rfm`, `tier`, `分层` …), if it names one."""
    lowered = text.lower()
    if any(word in lowered for word in _RFM_WORDS):
        return "rfm"
    if any(word in lowered for word in _TIER_WORDS):
        return "tier"
    return None


def guess_kind(data: bytes) -> Kind | None:
    """Transactions (customer, date, amount) → rfm; one row per client with value columns → tier."""
    head = data[: 64 * 1024]
    head = head[: head.rfind(b"\n") + 1] or head  # whole lines: no character cut in two
    try:
        text = decode(head)
    except SkillError:
        return None
    try:
        header = [cell.strip().lower() for cell in next(csv_reader(text), [])]
    except csv.Error:
        return None
    if all(find_column(header, role) is not None for role in ("customer", "date", "amount")):
        return "rfm"
    dimensions = [name for name in find_columns(header) if name in DIMENSIONS]
    return "tier" if len(dimensions) >= 3 else None


def analyse(
    kind: Kind, data: bytes, filename: str, lang: Lang, settings: Settings, as_of: str | None = None
) -> Analysis:
    """Raises SkillError for bad files, with the reason in the user's language."""
    stem = filename.rsplit(".", 1)[0] or "data"
    if kind == "rfm":
        day = parse_as_of(as_of) if as_of else None
        result = segment_rfm(parse_transactions(data), day)
        title = f"RFM · {stem}"
        return Analysis(
            rfm_message(result, lang, filename),
            [
                Upload(f"{stem}-rfm.png", rfm_chart(result, lang), title),
                Upload(f"{stem}-rfm-customers.csv", customers_csv(result).encode("utf-8-sig"), title),
            ],
            escape(title),
        )
    config = tier_config(settings)
    clients = parse_clients(data, config)
    tiers = score_clients(clients, config, clients.notes)
    title = f"{'客户分层' if lang == 'zh' else 'Client tiers'} · {stem}"
    return Analysis(
        tier_message(tiers, lang, filename),
        [
            Upload(f"{stem}-tiers.png", tier_chart(tiers, lang), title),
            Upload(f"{stem}-tiers.csv", clients_csv(tiers, lang).encode("utf-8-sig"), title),
        ],
        escape(title),
    )
