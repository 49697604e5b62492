"""Percent columns written either way: 45% and 45 as percent points, or 0.45 as a fraction, as a
spreadsheet formatted as a percentage exports it. A column is read one way as a whole, and the
report says which, so a 45% margin is never scored as 0.45%."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from skills.values import DecimalMark, parse_number


@dataclass(frozen=True)
class PercentReading:
    """How one percent column of a file was read."""

    en: str
    zh: str
    fractions: bool
    """True: 0.45 was read as 45%; False: 45 (or 45%) was read as 45%."""

    def note(self) -> tuple[str, str]:
        if self.fractions:
            return (
                f"{self.en} was read as fractions (0.45 = 45%): every value lies between -1 and 1.",
                f"{self.zh}按小数读取(0.45 即 45%):所有数值都在 -1 到 1 之间。",
            )
        return (f"{self.en} was read as percent (45 = 45%).", f"{self.zh}按百分数读取(45 即 45%)。")


def writes_fractions(cells: Iterable[str], decimal_mark: DecimalMark = ".") -> bool:
    """True when a percent column writes fractions: no cell carries %, every number lies in [-1, 1]
    and at least one is not a whole number (a column of 0s and 1s reads as points). Cells that
    are not numbers are left to the caller's own checks."""
    numbers: list[float] = []
    for cell in cells:
        text = cell.strip()
        if "%" in text:
            return False
        try:
            numbers.append(parse_number(text, decimal_mark))
        except ValueError:
            continue
    return are_fractions(numbers)


def are_fractions(numbers: Sequence[float]) -> bool:
    """True when percentages written without % are fractions of 1: every number lies in [-1, 1]
    and at least one is not whole (0s and 1s alone read as percent points)."""
    return (
        bool(numbers)
        and all(-1 <= number <= 1 for number in numbers)
        and any(not number.is_integer() for number in numbers)
    )
