"""What every fuzz test shares: the settings, hostile text, CSV builders and the refusal contract.

The contract: a parser of outside input returns a result or raises SkillError (or its documented
subclass) with an English and a Chinese message a person can act on. Any other exception is a bug.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from hypothesis import settings
from hypothesis import strategies as st

from skills.errors import SkillError

T = TypeVar("T")
MAX_MESSAGE_CHARS = 600
_NOISE = re.compile(r"Traceback|object at 0x|<class |<module |Error\(|<unicode string>")


def fuzz(scale: float = 1.0) -> settings:
    """The profile from conftest.py; `scale` runs fewer examples where one example is slow (DOCX)."""
    profile = settings.get_profile("opsbot-fuzz")
    return settings(profile, max_examples=max(10, int(profile.max_examples * scale)))


def check_message(text: str, language: str) -> None:
    """One readable paragraph: not empty, no blank line, no traceback or repr noise, not a wall."""
    assert isinstance(text, str) and text.strip(), f"empty {language} message"
    assert "\n\n" not in text.strip(), f"{language} message is more than one paragraph: {text!r}"
    assert not _NOISE.search(text), f"{language} message has Python noise: {text!r}"
    assert len(text) <= MAX_MESSAGE_CHARS, f"{language} message is {len(text)} chars: {text[:200]!r}…"


def check_refusal(error: SkillError) -> None:
    check_message(error.en, "en")
    check_message(error.zh, "zh")


def result_or_refusal(parse: Callable[[], T]) -> T | None:
    """Run `parse`; a SkillError must meet the contract (None is returned), anything else escapes."""
    try:
        return parse()
    except SkillError as error:
        check_refusal(error)
        return None


# Pieces people (and attackers) type: units, percents, CJK, full-width marks, control characters,
# huge numbers, separators, quotes, NUL.
TOKENS: Sequence[str] = (
    "0",
    "1",
    "5",
    "12",
    "100",
    "1,250",
    "1,2,3",
    ".5",
    "3.",
    "1e400",
    "9" * 40,
    "9" * 400,
    "-",
    "+",
    "−",
    "%",
    "％",
    "w",
    "W",
    "k",
    "m",
    "M",
    "万",
    "亿",
    "百万",
    "千万",
    "千",
    "百",
    "元",
    "¥",
    "$",
    "RMB",
    "/",
    "*",
    "×",
    "÷",
    "(",
    ")",
    "（",
    "）",
    ",",
    "，",
    "、",
    ":",
    "：",
    "->",
    "→",
    "to",
    "到",
    "至",
    "..",
    "~",
    "check",
    "检查",
    "what-if",
    "假如",
    "sales",
    "客户",
    "下载",
    "销售额",
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "\x00",
    "\x0b",
    "\x1b",
    "\u200b",
    "\ufeff",
    "\u2028",
    "'",
    '"',
    "\\",
    "#",
    "2024-02-29",
    "2023-02-29",
    "9999-12-31",
    "0000-01-01",
    "2026-W53",
    "2026W01",
    "mon",
    "fri",
    "周一",
    "至",
    "星期",
    "²",
    "١",
    "٣",
    "𝟗",
    "Ⅻ",
    "09:30",
    "24:00",
    "Asia/Shanghai",
    "../",
    "NaN",
    "inf",
)
hostile_text: st.SearchStrategy[str] = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=4)), max_size=14).map("".join),
)
"""Random Unicode, and strings built from the tokens above (which random text rarely hits)."""

cell_text: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(TOKENS),
    st.text(max_size=12),
    st.lists(st.sampled_from(TOKENS), max_size=4).map("".join),
    st.dates().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
"""A spreadsheet cell: a number, a date, a unit, junk, or nothing."""

ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "gbk", "big5", "utf-16", "latin-1")


def encoded(text: str, encoding: str) -> bytes:
    """`text` in `encoding`, characters it cannot hold replaced (as a careless export would)."""
    return text.encode(encoding, errors="replace")


@st.composite
def csv_files(draw: st.DrawFn, aliases: Sequence[str]) -> bytes:
    """A structurally plausible CSV: a header of real aliases (and strays), rows of random cells,
    any delimiter, sometimes quoted, sometimes ragged, in one of the encodings teams export."""
    header = draw(
        st.lists(st.one_of(st.sampled_from(list(aliases)), st.text(max_size=6)), min_size=1, max_size=8)
    )
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    quote = draw(st.booleans())
    rows = draw(
        st.lists(st.lists(cell_text, min_size=max(0, len(header) - 1), max_size=len(header) + 1), max_size=6)
    )

    def line(cells: list[str]) -> str:
        if quote:
            return delimiter.join('"' + cell.replace('"', '""') + '"' for cell in cells)
        return delimiter.join(cells)

    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(line(cells) for cells in [header, *rows])
    return encoded(text, draw(st.sampled_from(ENCODINGS)))


raw_csv: st.SearchStrategy[bytes] = st.one_of(
    st.binary(max_size=300),
    st.builds(encoded, hostile_text, st.sampled_from(ENCODINGS)),
)
"""Random bytes, and random text in a random encoding."""
