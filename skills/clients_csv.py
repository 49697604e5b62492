"""Reading a client list (one row per client) for value scoring, with column names in either language."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from skills.csv_files import csv_reader, decode, delimiter_of, header_names, line_list
from skills.errors import SkillError
from skills.percent_columns import PercentReading, writes_fractions
from skills.tier_config import brand_level
from skills.tiers import DIMENSIONS, Client, ClientValue, TierConfig
from skills.values import DecimalMark, decide_decimal_mark, parse_number

MAX_CLIENTS = 200_000
"""More rows than any client list; a bigger file is almost certainly transactions, not clients."""

ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "client_id", "customer_id", "account_id", "客户id", "客户编号", "编号"),
    "name": ("name", "client", "customer", "company", "client_name", "客户名称", "客户", "公司", "公司名称"),
    "order_amount": (
        "order_amount",
        "amount",
        "annual_amount",
        "contract_amount",
        "arr",
        "订单金额",
        "年订单金额",
        "合同金额",
        "金额",
    ),
    "company_size": (
        "company_size",
        "employees",
        "headcount",
        "size",
        "企业规模",
        "公司规模",
        "公司人数",
        "员工数",
        "人数",
        "规模",
    ),
    "gross_margin": ("gross_margin", "margin", "毛利率", "毛利"),
    "product_breadth": (
        "product_breadth",
        "product_lines",
        "products",
        "modules",
        "产品需求广度",
        "产品数",
        "采购产品数",
        "产品广度",
        "产品需求的广度",
        "产品线",
        "产品线数",
    ),
    "cooperation_years": ("cooperation_years", "years", "tenure", "合作年限", "合作年数", "合作时长", "年限"),
    "influence": ("influence", "referrals", "行业影响力", "影响力", "转介绍", "转介绍数"),
    "brand": ("brand", "brand_image", "品牌", "品牌形象"),
    "payment": ("payment", "overdue_days", "overdue", "付款记录", "回款记录", "回款", "逾期天数", "逾期"),
    "growth": (
        "growth",
        "growth_pct",
        "order_growth",
        "growth_rate",
        "成长潜力",
        "增长潜力",
        "增长率",
        "订单增长",
        "成长性",
    ),
}
_YES = ("yes", "y", "true", "是", "有", "逾期")
_NO = ("no", "n", "false", "否", "无", "正常", "按时")
_BRAND_SEPARATORS = str.maketrans({sep: ";" for sep in ",/|+\u3001\uff0c"})


def find_columns(
    header: list[str], aliases: dict[str, tuple[str, ...]] = ALIASES, taken: dict[str, int] | None = None
) -> dict[str, int]:
    """Role → column index, each column used once; `taken` holds roles already placed (their columns
    are not offered to later roles)."""
    normalised = [cell.strip().lower() for cell in header]
    columns: dict[str, int] = dict(taken or {})
    for role, names in aliases.items():
        for name in names:
            if name in normalised and normalised.index(name) not in columns.values():
                columns[role] = normalised.index(name)
                break
    return columns


PERCENT_DIMENSIONS = tuple(key for key, dimension in DIMENSIONS.items() if dimension.unit_en == "%")
"""Gross margin and growth: written as 45%, 45 or 0.45 depending on the spreadsheet."""


@dataclass(frozen=True)
class ClientList:
    """The clients of a file in its order, with notes on how it was read (its percent columns)."""

    clients: tuple[Client, ...]
    notes: tuple[tuple[str, str], ...] = ()

    def __iter__(self) -> Iterator[Client]:
        return iter(self.clients)

    def __len__(self) -> int:
        return len(self.clients)


def parse_clients(data: bytes, config: TierConfig) -> ClientList:
    """Every client, or SkillError naming missing columns or the first bad lines of each kind."""
    text = decode(data)
    if not text.strip():
        raise SkillError("The file is empty.", "文件是空的。")
    reader = csv_reader(text)
    header = next(reader, [])
    columns = find_columns(header)
    _check_columns(header, columns, config)
    clients: list[Client] = []
    problems: dict[str, list[int]] = {}
    rows = list(client_rows(reader, header, columns, problems))
    decimal_mark = decide_decimal_mark(number_cells(rows, columns, config.weights), delimiter_of(text))
    readings = percent_readings(header, rows, columns, config.weights, decimal_mark)
    fractions = {dimension for dimension, reading in readings.items() if reading.fractions}
    for line, row, client_id, name in rows:
        values: dict[str, ClientValue] = {}
        for dimension in config.weights:
            try:
                values[dimension] = parse_value(
                    dimension, row[columns[dimension]], config, decimal_mark, dimension in fractions
                )
            except ValueError:
                problems.setdefault(dimension, []).append(line)
        clients.append(Client(client_id, name, values, line))
        if len(clients) > MAX_CLIENTS:
            raise SkillError(
                f"More than {MAX_CLIENTS:,} clients: is this a transaction file? Use `rfm` for transactions.",
                f"客户数超过 {MAX_CLIENTS:,}:这是不是交易明细?交易明细请用 rfm。",
            )
    report_problems(problems)
    if not clients:
        raise SkillError("The file has a header but no clients.", "文件只有表头,没有客户。")
    return ClientList(tuple(clients), tuple(reading.note() for reading in readings.values()))


def percent_readings(
    header: list[str],
    rows: Sequence[tuple[int, list[str], str, str]],
    columns: dict[str, int],
    roles: Iterable[str],
    decimal_mark: DecimalMark,
) -> dict[str, PercentReading]:
    """How each percent column among `roles` is read: as fractions (0.45) or as percent (45)."""
    wanted = set(roles)
    readings: dict[str, PercentReading] = {}
    for dimension in PERCENT_DIMENSIONS:
        if dimension not in wanted or dimension not in columns:
            continue
        column = columns[dimension]
        name = " ".join(header[column].split())
        readings[dimension] = PercentReading(
            f"The {DIMENSIONS[dimension].en} column ({name})",
            f"{DIMENSIONS[dimension].zh}列({name})",
            writes_fractions((row[column] for _, row, _, _ in rows), decimal_mark),
        )
    return readings


def client_rows(
    reader: Iterable[list[str]],
    header: list[str],
    columns: dict[str, int],
    problems: dict[str, list[int]],
    id_or_name: bool = False,
) -> Iterator[tuple[int, list[str], str, str]]:
    """(line, row, client id, name) of each client row; blank rows are skipped, and rows of the wrong
    width, without an id or repeating one are noted in `problems` by line. The name defaults to the
    id. `id_or_name`: a blank id cell falls back to the name (the roster), else only a missing id
    column does."""
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.setdefault("shape", []).append(line)
            continue
        name = row[columns["name"]].strip() if "name" in columns else ""
        client_id = row[columns["id"]].strip() if "id" in columns else name
        if id_or_name:
            client_id = client_id or name
        if not client_id:
            problems.setdefault("id", []).append(line)
            continue
        if client_id in seen:
            problems.setdefault("duplicate", []).append(line)
            continue
        seen.add(client_id)
        yield line, row, client_id, name or client_id


def number_cells(
    rows: Iterable[tuple[int, list[str], str, str]], columns: dict[str, int], roles: Iterable[str]
) -> Iterator[tuple[int, str]]:
    """(line, cell) of every numeric column among `roles`: what tells how the file writes decimals."""
    numeric = [
        columns[role]
        for role in roles
        if role in columns and (role not in DIMENSIONS or DIMENSIONS[role].direction != "level")
    ]
    for line, row, _, _ in rows:
        for column in numeric:
            yield line, row[column]


def _check_columns(header: list[str], columns: dict[str, int], config: TierConfig) -> None:
    missing = [name for name in config.weights if name not in columns]
    if "id" not in columns and "name" not in columns:
        missing.insert(0, "id/name")
    if not missing:
        return
    found = header_names(header)
    names_en = ", ".join(f"{m} ({ALIASES[m][-1]})" if m in ALIASES else m for m in missing)
    raise SkillError(
        f"Could not find the column(s) {names_en}. Columns found: {found}. Rename the columns, or leave a "
        "dimension out of the weights (opsbot tier --print-config shows the settings file).",
        f"找不到这些列:{names_en}。文件中的列:{found}。请改列名,或在权重中去掉该维度"
        "(opsbot tier --print-config 可打印配置文件)。",
    )


def parse_value(
    dimension: str, cell: str, config: TierConfig, decimal_mark: DecimalMark = ".", fraction: bool = False
) -> ClientValue:
    """One dimension's cell: a number (decimals written with the file's `decimal_mark`; a percent
    written as a `fraction` of 1 turned into points), a brand level, or None when blank;
    ValueError otherwise."""
    text = cell.strip()
    if not text:
        return None
    if DIMENSIONS[dimension].direction == "level":
        levels = [brand_level(word) for word in text.translate(_BRAND_SEPARATORS).split(";") if word.strip()]
        if not levels or None in levels:
            raise ValueError(text)
        return max(levels, key=lambda level: config.brand_scores.get(str(level), 0.0))
    if dimension == "payment":
        if text.lower() in _YES:
            return 1.0
        if text.lower() in _NO:
            return 0.0
    number = parse_number(text, decimal_mark)
    if fraction and "%" not in text:
        number = round(number * 100, 9)  # 0.29 × 100 is 28.999999999999996 in binary: a band's edge
    if number < 0 and dimension != "growth":
        raise ValueError(text)
    return number


MAX_PROBLEM_KINDS = 4
"""Kinds of problem spelled out in one refusal; more are counted, so the message stays readable."""


def report_problems(problems: dict[str, list[int]], first: Sequence[tuple[str, str]] = ()) -> None:
    """One SkillError for every kind of problem found (`first`: the caller's own, already worded),
    one line each with its line numbers, in the order they first occur in the file, so a file is
    fixed in one pass instead of one per run."""
    in_file_order = sorted(
        (kind for kind in problems if problems[kind]), key=lambda kind: min(problems[kind])
    )
    messages = [*first, *(_problem_message(kind, problems[kind]) for kind in in_file_order)]
    if not messages:
        return
    shown, more = messages[:MAX_PROBLEM_KINDS], len(messages) - MAX_PROBLEM_KINDS
    en = [message for message, _ in shown]
    zh = [message for _, message in shown]
    if more > 0:
        en.append(f"…and {more} more kind(s) of problem: fix these, then import again to see them.")
        zh.append(f"……还有 {more} 类问题:先改好以上几处,再导入即可看到。")
    raise SkillError("\n".join(en), "\n".join(zh))


def _problem_message(kind: str, lines: list[int]) -> tuple[str, str]:
    where = line_list(lines)
    if kind == "shape":
        return (
            f"Line(s) {where} have more or fewer cells than the header (an unquoted comma in a value?).",
            f"第 {where} 行的列数与表头不一致(数值中是否有未加引号的逗号?)。",
        )
    if kind == "id":
        return f"Line(s) {where} have no client id or name.", f"第 {where} 行没有客户编号或名称。"
    if kind == "duplicate":
        return (
            f"Line(s) {where} repeat a client id that appears earlier; each client must appear once.",
            f"第 {where} 行的客户编号与前面重复;每个客户只能出现一次。",
        )
    dimension = DIMENSIONS[kind]
    if dimension.direction == "level":
        accepted = "global500/世界500强, listed/上市, high_valuation/高估值, none/无"
        return (
            f"Unknown brand on line(s) {where}; use {accepted}.",
            f"第 {where} 行的品牌无法识别;可用:{accepted}。",
        )
    example = "12, 0, yes/no" if kind == "payment" else "-5% or 12.5" if kind == "growth" else "50万 or 35%"
    return (
        f"Unreadable {dimension.en} on line(s) {where}; write a number ({example}).",
        f"第 {where} 行的{dimension.zh}无法识别,请填数字({example.replace(' or ', ' 或 ')})。",
    )
