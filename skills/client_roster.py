"""The client roster behind renewals: who each client is, what they pay, when the contract ends,
who owns them, and the value dimensions the tier score is built from.

One row per client, with English or Chinese headers. Only an id or a name is required; every other
column is optional, because teams start with what their CRM export has. A file with any bad row is
refused whole, with the line numbers, so an import never leaves half a roster behind.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from skills.clients_csv import (
    ALIASES,
    client_rows,
    find_columns,
    number_cells,
    parse_value,
    percent_readings,
    report_problems,
)
from skills.csv_files import csv_reader, decode, delimiter_of, header_names, line_list
from skills.errors import SkillError
from skills.tiers import DIMENSIONS, Client, ClientValue, TierConfig
from skills.transactions_csv import parse_date
from skills.values import DecimalMark, decide_decimal_mark, parse_number

MAX_ROSTER_CLIENTS = 200_000
SLACK_MEMBER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
"""A Slack member id (U…, or W… on Enterprise Grid): the only owner a reminder can be sent to."""

ROSTER_ALIASES: dict[str, tuple[str, ...]] = {
    "arr": ("arr", "acv", "annual_value", "contract_value", "年合同额", "合同年额", "年费", "年度合同金额"),
    "contract_end": (
        "contract_end",
        "contract_end_date",
        "end_date",
        "renewal_date",
        "合同到期日",
        "合同到期",
        "到期日",
        "到期时间",
        "续约日期",
    ),
    "owner": ("owner", "csm", "account_owner", "负责人", "客户成功经理", "客户经理"),
    "key_contact_changed": (
        "key_contact_changed",
        "contact_changed",
        "关键联系人变更",
        "联系人变更",
        "对接人变更",
    ),
    "competitor_pressure": (
        "competitor_pressure",
        "competitor",
        "competition",
        "竞品压力",
        "竞争压力",
        "竞品",
    ),
}
_YES = frozenset({"yes", "y", "true", "1", "是", "有", "变更", "已变更"})
_NO = frozenset({"no", "n", "false", "0", "否", "无", "没有", "未变更", ""})
_NO_PRESSURE = frozenset({"", "-", "no", "none", "n/a", "na", "无", "没有", "否"})


@dataclass(frozen=True)
class ClientRecord:
    id: str
    name: str
    arr: float | None = None
    """Annual contract value."""
    contract_end: date | None = None
    owner: str = ""
    """The owner's Slack member id (or whatever the roster had: then no reminders can be sent)."""
    values: Mapping[str, ClientValue] = field(default_factory=dict)
    """Value dimensions for the tier score (skills.tiers.DIMENSIONS keys)."""
    key_contact_changed: bool | None = None
    competitor_pressure: str = ""
    """Free text: who is pressing and how (blank: none known)."""

    def as_client(self) -> Client:
        return Client(self.id, self.name, self.values)

    def days_to_renewal(self, today: date) -> int | None:
        return None if self.contract_end is None else (self.contract_end - today).days

    @property
    def has_competitor_pressure(self) -> bool:
        return self.competitor_pressure.strip().lower() not in _NO_PRESSURE

    @property
    def owner_is_slack_member(self) -> bool:
        return bool(SLACK_MEMBER_ID.match(self.owner))


@dataclass(frozen=True)
class Roster:
    clients: tuple[ClientRecord, ...]
    warnings: tuple[tuple[str, str], ...] = ()
    """(en, zh) notes that do not stop the import: rows reminders cannot reach, how a percent
    column was read."""


def _columns(header: list[str]) -> dict[str, int]:
    columns = find_columns(header, {"id": ALIASES["id"], "name": ALIASES["name"]})
    columns = find_columns(header, ROSTER_ALIASES, columns)
    columns = find_columns(header, {k: v for k, v in ALIASES.items() if k in DIMENSIONS}, columns)
    if "order_amount" not in columns and "arr" in columns:
        columns["order_amount"] = columns["arr"]  # the annual contract value is the order amount
    return columns


def parse_roster(data: bytes, config: TierConfig) -> Roster:
    """Every client, or SkillError naming the first kind of bad line."""
    text = decode(data)
    if not text.strip():
        raise SkillError("The file is empty.", "文件是空的。")
    reader = csv_reader(text)
    header = next(reader, [])
    columns = _columns(header)
    if "id" not in columns and "name" not in columns:
        found = header_names(header)
        raise SkillError(
            f"The client list needs an id or name column (id, name, 客户编号, 客户名称). Columns found: {found}.",
            f"客户清单需要编号或名称列(id、name、客户编号、客户名称)。文件中的列:{found}。",
        )
    problems: dict[str, list[int]] = {}
    clients: list[ClientRecord] = []
    rows = list(client_rows(reader, header, columns, problems, id_or_name=True))
    decimal_mark = decide_decimal_mark(number_cells(rows, columns, ("arr", *DIMENSIONS)), delimiter_of(text))
    readings = percent_readings(header, rows, columns, DIMENSIONS, decimal_mark)
    fractions = frozenset(dimension for dimension, reading in readings.items() if reading.fractions)
    for line, row, client_id, name in rows:

        def cell(role: str, row: list[str] = row) -> str:
            return row[columns[role]].strip() if role in columns else ""

        record = _record(client_id, name, cell, config, line, problems, decimal_mark, fractions)
        if record is not None:
            clients.append(record)
        if len(clients) > MAX_ROSTER_CLIENTS:
            raise SkillError(
                f"More than {MAX_ROSTER_CLIENTS:,} clients: is this a transaction file?",
                f"客户数超过 {MAX_ROSTER_CLIENTS:,}:这是不是交易明细?",
            )
    _report(problems)
    if not clients:
        raise SkillError("The file has a header but no clients.", "文件只有表头,没有客户。")
    # Only the surprising reading is worth a warning on every import; the tier report says both.
    notes = tuple(reading.note() for reading in readings.values() if reading.fractions)
    return Roster(tuple(clients), (*_warnings(clients, columns), *notes))


def _record(
    client_id: str,
    name: str,
    read: Callable[[str], str],
    config: TierConfig,
    line: int,
    problems: dict[str, list[int]],
    decimal_mark: DecimalMark = ".",
    fractions: frozenset[str] = frozenset(),
) -> ClientRecord | None:
    """The row as a record; None (with the problems noted by line) when a cell cannot be read."""
    failed = False

    def problem(kind: str) -> None:
        nonlocal failed
        failed = True
        problems.setdefault(kind, []).append(line)

    arr = None
    if text := read("arr"):
        try:
            arr = parse_number(text, decimal_mark)
            if arr < 0:
                raise ValueError(text)
        except ValueError:
            problem("arr")
    contract_end = None
    if text := read("contract_end"):
        try:
            contract_end = parse_date(text)
        except ValueError:
            problem("contract_end")
    changed_text = read("key_contact_changed").lower()
    changed: bool | None = None
    if changed_text in _YES:
        changed = True
    elif changed_text and changed_text in _NO:
        changed = False
    elif changed_text:
        problem("key_contact_changed")
    values: dict[str, ClientValue] = {}
    for dimension in DIMENSIONS:
        try:
            values[dimension] = parse_value(
                dimension, read(dimension), config, decimal_mark, dimension in fractions
            )
        except ValueError:
            problem(dimension)
    if failed:
        return None
    return ClientRecord(
        client_id,
        name,
        arr,
        contract_end,
        read("owner"),
        values,
        changed,
        " ".join(read("competitor_pressure").split()),
    )


def _report(problems: dict[str, list[int]]) -> None:
    roster_kinds = {
        "arr": ("annual contract value (arr)", "年合同额(arr)"),
        "contract_end": ("contract end date (write it like 2027-03-31)", "合同到期日(格式如 2027-03-31)"),
        "key_contact_changed": ("key_contact_changed (write yes or no)", "关键联系人变更(请填 是 或 否)"),
    }
    own = [
        (
            f"Unreadable {en} on line(s) {line_list(problems[kind])}.",
            f"第 {line_list(problems[kind])} 行的{zh}无法识别。",
        )
        for kind, (en, zh) in roster_kinds.items()
        if kind in problems
    ]
    arr_lines = set(problems.get("arr", []))  # the annual value stands in for the order amount: one message
    rest = {
        kind: [line for line in lines if kind != "order_amount" or line not in arr_lines]
        for kind, lines in problems.items()
        if kind not in roster_kinds
    }
    report_problems({kind: lines for kind, lines in rest.items() if lines}, own)


def _warnings(clients: list[ClientRecord], columns: Mapping[str, int]) -> tuple[tuple[str, str], ...]:
    notes: list[tuple[str, str]] = []
    no_end = [c.id for c in clients if c.contract_end is None]
    if no_end:
        shown = ", ".join(no_end[:5]) + (f" (+{len(no_end) - 5})" if len(no_end) > 5 else "")
        notes.append(
            (
                f"No contract end date for {shown}: no renewal reminders for them.",
                f"{shown} 没有合同到期日,不会收到续约提醒。",
            )
        )
    unreachable = [c.id for c in clients if c.owner and not c.owner_is_slack_member]
    if unreachable or "owner" not in columns:
        shown = ", ".join(unreachable[:5]) + (f" (+{len(unreachable) - 5})" if len(unreachable) > 5 else "")
        notes.append(
            (
                f"Owners must be Slack member ids (like U012ABCDEF, from the profile's ⋮ menu) for reminders"
                f"{': check ' + shown if shown else ''}.",
                f"负责人需填写 Slack 成员 ID(如 U012ABCDEF,在个人资料的 ⋮ 菜单中复制)才能收到提醒"
                f"{':请检查 ' + shown if shown else ''}。",
            )
        )
    return tuple(notes)
