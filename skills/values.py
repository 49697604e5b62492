"""Numbers as people type them in spreadsheets and settings: -12.5%, ¥1,200, 50万, 3.5M, and the
European 1.234,56 once a file is known to write decimals with a comma. A number is never read at
another scale: a separator that fits neither way (12,50 in a file of decimal points) is refused."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Literal

from skills.csv_files import line_list
from skills.errors import SkillError
from skills.units import UNITS

DecimalMark = Literal[".", ","]
_JUNK = re.compile(r"[¥￥$€£\s元']|RMB|CNY|EUR", re.IGNORECASE)
_CORE = {
    ".": r"\d{1,3}(?:[,，]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+",
    ",": r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?|,\d+",
}
"""The digits of a number for each decimal mark: groups of three behind the other separator."""
_NUMBER = {
    mark: re.compile(rf"^(?P<sign>[-+−]?)(?P<number>{core})(?P<unit>.*?)%?$") for mark, core in _CORE.items()
}
_SEPARATED = re.compile(r"\d[\d.,，]*")


def parse_number(value: object, decimal_mark: DecimalMark = ".") -> float:
    """A finite number from `value`; a trailing % is dropped (percent values stay in points: 35% → 35).
    `decimal_mark` is the file's (see `decide_decimal_mark`): the other separator may only group
    thousands, in threes.

    Raises ValueError for anything else, so callers can report the line it came from.
    """
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        number = float(value)
    else:
        match = _NUMBER[decimal_mark].match(_JUNK.sub("", str(value)))
        if match is None:
            raise ValueError(value)
        unit = match["unit"]
        if unit and unit not in UNITS:
            raise ValueError(value)
        digits = match["number"].replace("，", ",")
        digits = digits.replace(",", "") if decimal_mark == "." else digits.replace(".", "").replace(",", ".")
        number = float(digits) * (UNITS[unit] if unit else 1.0)
        if match["sign"] in ("-", "−"):
            number = -number
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def decide_decimal_mark(cells: Iterable[tuple[int, str]], delimiter: str) -> DecimalMark:
    """The decimal mark a file writes its numbers with, from its numeric cells as (line, text).

    1,234.56 and 12.5 say a point; 1.234,56 and 12,50 say a comma (a comma followed by one, two or
    four and more digits cannot group thousands). 1,234 and 1.234 say nothing alone: in a
    comma-separated file they read with a point (such a cell had to be quoted, as spreadsheets do
    for thousands), elsewhere they make the file ambiguous. A file that says both, or only
    ambiguous things outside a comma-separated file, is refused with its line numbers."""
    said: dict[str, list[int]] = {".": [], ",": [], "?": []}
    for line, text in cells:
        found = _SEPARATED.search(_JUNK.sub("", text))
        if found is not None:
            kind = _mark_said(found.group().replace("，", ","))
            if kind:
                said[kind].append(line)
    if said["."] and said[","]:
        raise SkillError(
            f"Numbers are written two ways: with a decimal point on line(s) {line_list(said['.'])} "
            f"(1,234.56) and with a decimal comma on line(s) {line_list(said[','])} (1.234,56). "
            "Write them one way and import the file again.",
            f"数字有两种写法:第 {line_list(said['.'])} 行用小数点(1,234.56),"
            f"第 {line_list(said[','])} 行用小数逗号(1.234,56)。请统一写法后重新导入。",
        )
    if said[","]:
        return ","
    if said["."] or not said["?"] or delimiter == ",":
        return "."
    raise SkillError(
        f"Line(s) {line_list(said['?'])} have numbers such as 1.234 or 1,234, which read either as "
        "a thousand or as a decimal, and nothing else in the file tells which. Write them without a "
        "thousands separator (1234 or 1.234 as 1,234 means) or with two decimals (1.234,00).",
        f"第 {line_list(said['?'])} 行的数字(如 1.234 或 1,234)既可读作一千多,也可读作小数,文件中没有其他"
        "线索可判断。请去掉千位分隔符(写成 1234),或写出两位小数(1.234,00)。",
    )


def _mark_said(digits: str) -> str:
    """'.' or ',' for the decimal mark `digits` shows, '?' when it could be either, '' for none."""
    points, commas = digits.count("."), digits.count(",")
    if points and commas:
        return "." if digits.rfind(".") > digits.rfind(",") else ","
    if not points and not commas:
        return ""
    separator = "." if points else ","
    groups = digits.split(separator)
    if len(groups) > 2:  # repeated: it groups thousands, so the decimal mark is the other one
        return "," if separator == "." else "."
    if len(groups[1]) == 3:
        return "?"
    return separator
