"""What every CSV upload needs: decoding as teams export it, dialect sniffing, line lists for errors."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

from skills.errors import Lang, SkillError

MAX_CSV_BYTES = 200 * 1024 * 1024
"""200 MB: several million rows; larger exports should be filtered to the period of interest first."""
MAX_REPORTED_LINES = 5
_CJK = re.compile(r"[\u4e00-\u9fff]")


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK); binary data is refused."""
    if len(data) > MAX_CSV_BYTES:
        raise SkillError(
            f"The file is {len(data) / 1e6:.0f} MB; the limit is {MAX_CSV_BYTES // 1024 // 1024} MB. "
            "Export a shorter period.",
            f"文件有 {len(data) / 1e6:.0f} MB,上限为 {MAX_CSV_BYTES // 1024 // 1024} MB,请导出更短的时间段。",
        )
    if b"\x00" in data[:4096]:
        raise SkillError(
            "This is not a CSV text file (it looks binary, e.g. .xlsx). Save it as CSV first.",
            "这不是 CSV 文本文件(看起来是二进制,比如 .xlsx),请先另存为 CSV。",
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SkillError(
        "The file is neither UTF-8 nor GBK/GB18030 text.", "文件编码既不是 UTF-8 也不是 GBK/GB18030。"
    )


def header_language(data: bytes) -> Lang:
    """Chinese when the first line (the header, as a rule) has Chinese characters: the language to
    answer in when the user gave no words of their own."""
    head = data[:2048]
    first_line = head.decode("utf-8", errors="ignore").split("\n", 1)[0]
    if not _CJK.search(first_line):
        first_line = head.decode("gb18030", errors="ignore").split("\n", 1)[0]
    return "zh" if _CJK.search(first_line) else "en"


def csv_reader(text: str) -> Iterator[list[str]]:
    """Rows of `text`, with the delimiter guessed (comma, semicolon, tab or pipe). Old Mac line ends
    (a lone CR) end a row; a file the csv module still cannot split is a SkillError with the line."""
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    return _rows(csv.reader(io.StringIO(text, newline=""), dialect))


def _rows(reader: Any) -> Iterator[list[str]]:
    try:
        yield from reader
    except csv.Error:
        line = reader.line_num
        raise SkillError(
            f"Line {line} cannot be read as CSV (a quote that is never closed, or a huge cell?). "
            "Save the file from a spreadsheet as CSV and try again.",
            f"第 {line} 行无法按 CSV 读取(引号没有闭合,或单元格过大?)。请用表格软件另存为 CSV 后重试。",
        ) from None


def line_list(numbers: list[int]) -> str:
    """`3, 7, 9 (+12 more)`: enough line numbers to find the problem, never a wall of them."""
    shown = ", ".join(str(n) for n in numbers[:MAX_REPORTED_LINES])
    return shown + (
        f" (+{len(numbers) - MAX_REPORTED_LINES} more)" if len(numbers) > MAX_REPORTED_LINES else ""
    )


def header_names(header: list[str], limit: int = 200) -> str:
    """The columns a file has, for a refusal: one line, cut short, "(none)" for a blank header."""
    names = ", ".join(" ".join(cell.split()) for cell in header if cell.strip()) or "(none)"
    return names if len(names) <= limit else names[: limit - 1] + "…"
