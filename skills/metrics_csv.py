"""Daily metric values from a CSV (`date,metric,value[,client]`), all rows or none.

Teams export these from BI tools and spreadsheets: UTF-8, GBK, Big5 or Windows-1252, Chinese or
English headers, numbers with units (1.2万, 35%) and either decimal mark. Rates (retention,
conversion, …_rate, 率) are kept as fractions however the file wrote them (43%, 43 or 0.43). A
file with any bad row is refused whole, with the line numbers, so an import never leaves half a
month behind.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from skills.csv_files import csv_reader, decode, delimiter_of, header_names, line_list
from skills.errors import Lang, SkillError
from skills.percent_columns import are_fractions
from skills.transactions_csv import parse_date
from skills.values import decide_decimal_mark, parse_number

DEFAULT_METRICS: dict[str, dict[str, str]] = {
    "sales": {"en": "Sales", "zh": "销售额"},
    "customers": {"en": "Customers", "zh": "客户量"},
    "new_customers": {"en": "New customers", "zh": "拉新"},
    "retention": {"en": "Retention", "zh": "留存"},
    "active_users": {"en": "Active users", "zh": "活跃"},
    "campaign_participants": {"en": "Campaign participants", "zh": "活动参与人数"},
}
"""The brief's daily numbers, watched by default."""
LEVEL_METRICS = frozenset({"customers", "retention", "active_users"})
_LEVEL_ENDINGS = ("rate", "_pct", "ratio", "率")
_LEVEL_WORDS = ("retention", "active", "留存", "活跃")


def metric_label(metric: str, lang: Lang) -> str:
    """The metric's name for people: the brief's six are translated, others shown as stored."""
    return DEFAULT_METRICS.get(metric, {}).get(lang, metric)


def is_level_metric(metric: str) -> bool:
    """Levels (customers, retention, active users, rates and ratios) are averaged over a period;
    flows (sales, new customers, participants, and any other name) are summed."""
    name = metric.strip().lower()
    return name in LEVEL_METRICS or name.endswith(_LEVEL_ENDINGS) or any(w in name for w in _LEVEL_WORDS)


_RATE_ENDINGS = ("rate", "pct", "ratio", "率", "%")
_RATE_WORDS = ("retention", "留存", "conversion", "转化")


def is_rate_metric(metric: str) -> bool:
    """Rates (retention, conversion, anything ending in rate, _pct, ratio or 率): kept as fractions
    (0.43), whether the file gave 0.43, 43 or 43%, and shown as percentages."""
    name = metric.strip().lower()
    return name.endswith(_RATE_ENDINGS) or any(word in name for word in _RATE_WORDS)


def format_metric_value(metric: str, value: float | None) -> str:
    """A metric's value for people: rates as percentages (0.43 → 43.0%), large counts whole with
    separators, small ones with up to two decimals; — for no value."""
    if value is None:
        return "—"
    if is_rate_metric(metric):
        return f"{value * 100:.1f}%"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}".rstrip("0").rstrip(".")


_METRIC_ALIASES = {
    "销售": "sales",
    "销售额": "sales",
    "revenue": "sales",
    "gmv": "sales",
    "客户": "customers",
    "客户量": "customers",
    "客户数": "customers",
    "新客": "new_customers",
    "新客户": "new_customers",
    "拉新": "new_customers",
    "new customers": "new_customers",
    "留存": "retention",
    "留存率": "retention",
    "retention_rate": "retention",
    "retention rate": "retention",
    "活跃": "active_users",
    "活跃用户": "active_users",
    "active users": "active_users",
    "dau": "active_users",
    "活动参与人数": "campaign_participants",
    "活动参与": "campaign_participants",
    "campaign participants": "campaign_participants",
}
_HEADERS = {
    "date": ("date", "day", "日期", "时间"),
    "metric": ("metric", "name", "指标", "指标名"),
    "value": ("value", "amount", "数值", "值", "数量"),
    "client": ("client", "customer", "team", "客户", "团队"),
}


@dataclass(frozen=True)
class MetricValue:
    day: date
    metric: str
    value: float
    client: str = ""
    """Empty for the whole business."""


def metric_key(name: str) -> str:
    """The canonical key of a metric name (销售额 → sales); other names keep their own spelling."""
    cleaned = " ".join(name.strip().split())
    lowered = cleaned.lower()
    return _METRIC_ALIASES.get(lowered, lowered.replace(" ", "_") if lowered in DEFAULT_METRICS else cleaned)


def _column(header: list[str], role: str) -> int | None:
    cells = [cell.strip().lower() for cell in header]
    return next((cells.index(name) for name in _HEADERS[role] if name in cells), None)


def parse_metrics(data: bytes) -> list[MetricValue]:
    """Every row, or SkillError naming what is wrong and on which lines."""
    text = decode(data)
    if not text.strip():
        raise SkillError("The file is empty.", "文件是空的。")
    reader = csv_reader(text)
    header = next(reader, [])
    columns = {role: _column(header, role) for role in _HEADERS}
    missing = [role for role in ("date", "metric", "value") if columns[role] is None]
    if missing:
        found = header_names(header)
        raise SkillError(
            f"Could not find the {', '.join(missing)} column(s). Columns found: {found}. "
            "The file needs date,metric,value (and optionally client), e.g. 2026-11-22,sales,120000.",
            f"找不到这些列:{', '.join(missing)}。文件中的列:{found}。需要 日期,指标,数值(可选 客户),"
            "例如 2026-11-22,销售额,12万。",
        )
    values: list[MetricValue] = []
    problems: dict[str, list[int]] = {"shape": [], "date": [], "value": [], "metric": [], "duplicate": []}
    seen: dict[tuple[date, str, str], int] = {}
    written_with_percent: set[int] = set()
    rows = [(line, row) for line, row in enumerate(reader, start=2) if any(cell.strip() for cell in row)]
    value_column = columns["value"]
    assert value_column is not None
    decimal_mark = decide_decimal_mark(
        ((line, row[value_column]) for line, row in rows if len(row) > value_column), delimiter_of(text)
    )
    for line, row in rows:
        if len(row) < len(header):
            problems["shape"].append(line)
            continue
        cells = {role: row[index].strip() if index is not None else "" for role, index in columns.items()}
        try:
            day = parse_date(cells["date"])
        except ValueError:
            problems["date"].append(line)
            continue
        if not cells["metric"]:
            problems["metric"].append(line)
            continue
        try:
            number = parse_number(cells["value"], decimal_mark)
        except ValueError:
            problems["value"].append(line)
            continue
        value = MetricValue(day, metric_key(cells["metric"]), number, cells["client"])
        key = (value.day, value.metric, value.client)
        if key in seen:
            problems["duplicate"].append(line)
            continue
        seen[key] = line
        if "%" in cells["value"]:
            written_with_percent.add(len(values))
        values.append(value)
    _refuse_problems(problems)
    if not values:
        raise SkillError("The file has a header but no rows.", "文件只有表头,没有数据行。")
    return _rates_as_fractions(values, written_with_percent)


def _rates_as_fractions(values: list[MetricValue], written_with_percent: set[int]) -> list[MetricValue]:
    """Each rate metric of the file read one way as a whole and kept as fractions: 43% is 0.43; plain
    numbers are fractions when they all lie in [-1, 1] and one is not whole (0.43), else percent
    points (43 → 0.43), as for the percent columns of a client list."""
    plain: dict[str, list[float]] = {}
    for index, value in enumerate(values):
        if is_rate_metric(value.metric) and index not in written_with_percent:
            plain.setdefault(value.metric, []).append(value.value)
    fractions = {metric for metric, numbers in plain.items() if are_fractions(numbers)}
    return [
        replace(value, value=round(value.value / 100, 12))
        if is_rate_metric(value.metric) and (index in written_with_percent or value.metric not in fractions)
        else value
        for index, value in enumerate(values)
    ]


def _refuse_problems(problems: dict[str, list[int]]) -> None:
    messages = {
        "shape": ("rows with too few columns", "列数不够"),
        "date": ("dates that cannot be read (use 2026-11-22)", "日期无法识别(请用 2026-11-22)"),
        "metric": ("rows without a metric name", "缺少指标名"),
        "value": ("values that are not numbers", "数值不是数字"),
        "duplicate": ("the same date, metric and client again", "日期、指标和客户重复"),
    }
    en, zh = [], []
    for kind, lines in problems.items():
        if lines:
            en.append(f"{messages[kind][0]} on line {line_list(lines)}")
            zh.append(f"第 {line_list(lines)} 行{messages[kind][1]}")
    if en:
        raise SkillError(
            "Nothing was imported: " + "; ".join(en) + ". Fix these lines and import the file again.",
            "没有导入任何数据:" + ";".join(zh) + "。请修改后重新导入。",
        )
