"""Tables: written as Markdown rows when a document is read, and said as list items in an answer,
since Slack shows no Markdown tables and a row cut from its header means nothing.

A table's rows are said as list items, each cell named by its column (`KA — 首次响应：15 分钟；解决时限：4
小时`), under the sentence that introduces the table or, without one, its header.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from knowledge.text import CJK_CHARACTER, LIST_MARKER

_SEPARATOR_CELL = re.compile(r"^:?-{2,}:?$")
_INTRODUCES = re.compile(r"[:：]$|如下|下表|以下|below|following|table", re.IGNORECASE)


def markdown_rows(grid: list[list[str]], has_header: bool) -> list[str]:
    """Rows of cells as Markdown table rows (a `|` inside a cell becomes `/`), with a separator
    under the first when it is a header."""
    rows = ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in grid]
    if has_header and rows:
        rows.insert(1, "|" + " --- |" * len(grid[0]))
    return rows


def as_paragraphs(blocks: Iterable[str]) -> str:
    """Blocks a document marks as paragraphs (Word's paragraphs, a page's `<p>`s, a slide's boxes),
    with a blank line between them as Markdown writes them: answers read lines without one as a
    paragraph wrapped at the margin, which ran a label without punctuation into the sentence
    after it. A table's rows, and a list's items, stay together."""
    text, previous = "", ""
    for block in blocks:
        if text:
            together = (is_table_row(block) and is_table_row(previous)) or (
                bool(LIST_MARKER.match(block)) and bool(LIST_MARKER.match(previous))
            )
            text += "\n" if together else "\n\n"
        text, previous = text + block, block
    return text


def is_table_row(line: str) -> bool:
    """A Markdown table row: `| a | b |`."""
    stripped = line.strip()
    return stripped.startswith("|") and stripped.count("|") >= 2


def introduces_table(sentence: str) -> bool:
    """'…如下表。', 'The contacts are below.', or any sentence ending with a colon."""
    return bool(_INTRODUCES.search(sentence.strip()))


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def table_items(rows: list[str]) -> tuple[str, list[str]]:
    """The table's header said as a line, and each body row as a list item naming its cells by
    their columns. Without a header row (no `| --- |` under the first), the header is "" and
    rows are said as they are."""
    table = [_cells(row) for row in rows]
    if len(table) >= 2 and any(table[1]) and all(_SEPARATOR_CELL.match(cell) for cell in table[1] if cell):
        header, body = table[0], table[2:]
    else:
        header, body = [], table
    chinese = bool(CJK_CHARACTER.search("".join(header)))
    named, joined = ("：", "；") if chinese else (": ", "; ")
    items = []
    for row in body:
        if not any(row):
            continue
        if not header:
            items.append("- " + " · ".join(cell for cell in row if cell))
            continue
        described = [
            f"{column}{named}{cell}" if column else cell
            for column, cell in zip(header[1:], row[1:], strict=False)
            if cell
        ]
        first = row[0] or "—"
        items.append(f"- {first} — {joined.join(described)}" if described else f"- {first}")
    return " · ".join(cell for cell in header if cell), items
