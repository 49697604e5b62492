"""What every CSV needs: reading uploads (decoding as teams export them, binary files refused by their
content, dialect sniffing, line lists for errors) and writing exports that spreadsheets cannot run."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from skills.errors import Lang, SkillError

MAX_CSV_BYTES = 200 * 1024 * 1024
"""200 MB: several million rows; larger exports should be filtered to the period of interest first."""
MAX_REPORTED_LINES = 5
LEGACY_ENCODINGS = ("gb18030", "big5", "cp1252")
"""What a CSV that is not UTF-8 is written in, as a rule: Excel's "CSV" on Chinese (simplified or
traditional) and Western Windows."""
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "a PDF document", "PDF 文档"),
    (
        b"PK\x03\x04",
        "a ZIP archive (an .xlsx workbook or a .docx file is one)",
        "ZIP 压缩包(.xlsx 或 .docx 文件就是这种格式)",
    ),
    (b"PK\x05\x06", "an empty ZIP archive", "空的 ZIP 压缩包"),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an old Office file (.xls or .doc)",
        "旧版 Office 文件(.xls 或 .doc)",
    ),
    (b"\x89PNG\r\n\x1a\n", "a PNG image", "PNG 图片"),
    (b"\xff\xd8\xff", "a JPEG image", "JPEG 图片"),
    (b"GIF87a", "a GIF image", "GIF 图片"),
    (b"GIF89a", "a GIF image", "GIF 图片"),
    (b"\x1f\x8b", "a gzip archive", "gzip 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "7-Zip 压缩包"),
    (b"Rar!\x1a\x07", "a RAR archive", "RAR 压缩包"),
    (b"\x7fELF", "a program", "可执行程序"),
    (b"MZ\x90\x00", "a program", "可执行程序"),
    (b"SQLite format 3\x00", "a SQLite database", "SQLite 数据库"),
)
"""Leading bytes of the binary formats people share by mistake, with what to call them."""
_FORMULA_START = ("=", "+", "-", "@")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")
"""A number as a spreadsheet reads it (-12.5, +3, 1,234.50, 1e-3, 5%): no formula can hide in it."""


def binary_format(data: bytes) -> tuple[str, str] | None:
    """What binary format `data` is by its leading bytes, in English and Chinese; None for text.
    A file's name says nothing: a workbook renamed .csv or a PDF renamed .txt is still binary."""
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    for magic, en, zh in _SIGNATURES:
        if head.startswith(magic):
            return en, zh
    return None


def refuse_binary(data: bytes, name: str = "") -> None:
    """SkillError when `data` is not text (a known binary format, or NUL bytes near its start), so a
    workbook or a PDF is refused as what it is before anything reads it as garbled CSV."""
    kind = binary_format(data)
    if kind is None and b"\x00" not in data[:4096]:
        return
    en_kind, zh_kind = kind or (
        "binary data (an .xlsx workbook, for example)",
        "二进制数据(比如 .xlsx 工作簿)",
    )
    subject_en, subject_zh = (name, name) if name else ("This", "这")
    raise SkillError(
        f"{subject_en} is not a CSV text file: it is {en_kind}. "
        "Open it in a spreadsheet, save it as CSV (UTF-8) and use that file.",
        f"{subject_zh}不是 CSV 文本文件,而是{zh_kind}。请用表格软件打开,另存为 CSV(UTF-8)后再使用。",
    )


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) as a rule; else the encoding charset detection finds among those
    teams export in (GB18030 — a superset of GBK —, Big5, Windows-1252). Binary data, and text whose
    encoding cannot be decided, are refused rather than read as mojibake."""
    if len(data) > MAX_CSV_BYTES:
        raise SkillError(
            f"The file is {len(data) / 1e6:.0f} MB; the limit is {MAX_CSV_BYTES // 1024 // 1024} MB. "
            "Export a shorter period.",
            f"文件有 {len(data) / 1e6:.0f} MB,上限为 {MAX_CSV_BYTES // 1024 // 1024} MB,请导出更短的时间段。",
        )
    refuse_binary(data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    found = list(from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS)))
    tied = len(found) > 1 and (found[0].chaos, found[0].coherence) == (found[1].chaos, found[1].coherence)
    if not found or (tied and str(found[0]) != str(found[1])):
        raise SkillError(
            "The file's text encoding cannot be told (it is not UTF-8, and reads as more than one of "
            "GBK, Big5 and Windows-1252). Save it as CSV UTF-8 and try again.",
            "无法判断文件的文本编码(不是 UTF-8,又可能是 GBK、Big5、Windows-1252 中的多种)。"
            "请另存为 CSV UTF-8 后重试。",
        )
    return str(found[0])


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
    return _rows(csv.reader(io.StringIO(text, newline=""), _dialect(text)))


def delimiter_of(text: str) -> str:
    """The delimiter `csv_reader` splits `text` by: with the numbers, it tells how decimals are
    written (a semicolon file is often a European spreadsheet's, with 12,50 for 12.5)."""
    return str(_dialect(text).delimiter)


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        return csv.excel


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


def spreadsheet_cell(value: object) -> object:
    """`value` as an export cell that Excel, LibreOffice and Google Sheets show as written. Text
    starting with = + - @ (or a tab or CR, or one of those after leading spaces) would run as a
    formula when the CSV is opened (OWASP: CSV injection), so it gets a leading '. Numbers, and
    text that is a plain number such as -12.5, stay numbers."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    if value.startswith(("\t", "\r")):
        return "'" + value
    stripped = value.strip()
    if stripped.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(stripped):
        return "'" + value
    return value


def spreadsheet_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A CSV export with every cell through `spreadsheet_cell`: the one way opsbot writes a CSV for
    people, so no column (names, feedback text, ids) is ever left out of the protection."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([spreadsheet_cell(cell) for cell in header])
    writer.writerows([spreadsheet_cell(cell) for cell in row] for row in rows)
    return out.getvalue()
