"""Reading transaction CSVs as Chinese, English and European teams export them (UTF-8, GBK, Big5,
Windows-1252; decimals with a point or a comma)."""

from __future__ import annotations

from datetime import date, datetime

from skills.csv_files import csv_reader, decode, delimiter_of, header_names, line_list
from skills.errors import SkillError
from skills.rfm import Transaction
from skills.values import decide_decimal_mark, parse_number

ALIASES: dict[str, tuple[str, ...]] = {
    "customer": (
        "customer_id",
        "customer",
        "user_id",
        "userid",
        "client_id",
        "用户id",
        "用户",
        "客户id",
        "客户",
        "会员id",
        "会员",
    ),
    "date": (
        "order_date",
        "date",
        "purchase_date",
        "created_at",
        "下单日期",
        "下单时间",
        "日期",
        "交易日期",
        "订单日期",
    ),
    "amount": (
        "amount",
        "order_amount",
        "total",
        "paid",
        "revenue",
        "金额",
        "实付",
        "实付金额",
        "订单金额",
        "支付金额",
    ),
    "order": ("order_id", "order_no", "order", "订单id", "订单号", "订单编号"),
}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%m/%d/%Y")


def find_column(header: list[str], role: str, given: str | None = None) -> int | None:
    """The column for `role` (customer, date, amount, order): `given` by name, else by its aliases."""
    normalised = [cell.strip().lower() for cell in header]
    wanted = (given.strip().lower(),) if given else ALIASES[role]
    for name in wanted:
        if name in normalised:
            return normalised.index(name)
    return None


def parse_as_of(text: str, label: str = "as-of") -> date:
    """The `as_of` day a person typed, or SkillError naming the option (`--as-of` on the command line)."""
    try:
        return parse_date(text)
    except ValueError:
        raise SkillError(
            f"{label} must be a date like 2024-12-31.", f"{label} 应为日期,如 2024-12-31。"
        ) from None


def parse_date(text: str) -> date:
    cleaned = text.strip()
    if len(cleaned) == 10 and cleaned[4] == "-":
        try:
            return date.fromisoformat(cleaned)  # the common case, many times faster than strptime
        except ValueError:
            pass
    for candidate in (cleaned, cleaned.split(" ")[0], cleaned.split("T")[0]):
        for form in _DATE_FORMATS:
            try:
                return datetime.strptime(candidate, form).date()
            except ValueError:
                continue
    raise ValueError(text)


def parse_transactions(
    data: bytes,
    customer: str | None = None,
    day: str | None = None,
    amount: str | None = None,
    order: str | None = None,
) -> list[Transaction]:
    """All rows, or SkillError naming the missing columns or the first bad line numbers."""
    text = decode(data)
    if not text.strip():
        raise SkillError("The file is empty.", "文件是空的。")
    reader = csv_reader(text)
    header = next(reader, [])
    columns = {
        role: find_column(header, role, given)
        for role, given in (("customer", customer), ("date", day), ("amount", amount), ("order", order))
    }
    missing = [role for role in ("customer", "date", "amount") if columns[role] is None]
    if missing or (order and columns["order"] is None):
        found = header_names(header)
        needed = ", ".join(missing or ["order"])
        raise SkillError(
            f"Could not find the {needed} column(s). Columns found: {found}. "
            "Name them customer_id, order_date, amount (or 客户, 日期, 金额), or pass --customer/--date/--amount.",
            f"找不到这些列:{needed}。文件中的列:{found}。请命名为 客户、日期、金额(或 customer_id、order_date、amount),"
            "或用 --customer/--date/--amount 指定。",
        )
    c_col, d_col, a_col, o_col = columns["customer"], columns["date"], columns["amount"], columns["order"]
    assert c_col is not None and d_col is not None and a_col is not None
    width = max(c_col, d_col, a_col, o_col or 0)
    transactions: list[Transaction] = []
    bad_shape: list[int] = []
    bad_dates: list[int] = []
    bad_amounts: list[int] = []
    rows = [(line, row) for line, row in enumerate(reader, start=2) if any(cell.strip() for cell in row)]
    decimal_mark = decide_decimal_mark(
        ((line, row[a_col]) for line, row in rows if len(row) > a_col), delimiter_of(text)
    )
    for line, row in rows:
        if len(row) != len(header) or len(row) <= width:
            bad_shape.append(line)
            continue
        if not row[c_col].strip():
            bad_amounts.append(line)
            continue
        try:
            when = parse_date(row[d_col])
        except ValueError:
            bad_dates.append(line)
            continue
        try:
            value = parse_number(row[a_col], decimal_mark)
        except ValueError:
            bad_amounts.append(line)
            continue
        order_id = row[o_col].strip() if o_col is not None else None
        transactions.append(Transaction(row[c_col].strip(), when, value, order_id or None))
    if bad_shape:
        raise SkillError(
            f"Line(s) {line_list(bad_shape)} have more or fewer cells than the header "
            "(an unquoted comma inside a value, e.g. 1,200?). Quote such values or remove the commas.",
            f"第 {line_list(bad_shape)} 行的列数与表头不一致(数值中是否有未加引号的逗号,如 1,200?)。"
            "请给这类值加引号或去掉逗号。",
        )
    if bad_dates:
        raise SkillError(
            f"Unreadable dates on line(s) {line_list(bad_dates)}; use YYYY-MM-DD (2024-03-15).",
            f"第 {line_list(bad_dates)} 行的日期无法识别,请用 YYYY-MM-DD(如 2024-03-15)。",
        )
    if bad_amounts:
        raise SkillError(
            f"Missing customer or unreadable amount on line(s) {line_list(bad_amounts)}.",
            f"第 {line_list(bad_amounts)} 行缺少客户或金额无法识别。",
        )
    if not transactions:
        raise SkillError("The file has a header but no transactions.", "文件只有表头,没有交易记录。")
    return transactions
