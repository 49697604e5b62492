"""Spreadsheets of questions and answers: the FAQ and standard-reply sheets (客服话术表) teams keep.

A row holds a question and its answer, and perhaps a category or the product it applies to; each
row is indexed as a question-and-answer pair, so a question is answered by the row that matches it
(see `knowledge.faq` for the same in documents). A sheet without a question and an answer column
is data (an export of orders or clients), not something to answer from, and is not indexed.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence

from knowledge.faq import Pair
from knowledge.tables import as_paragraphs

HEADER_SEARCH_ROWS = 10
"""A sheet may open with a title row or a note above its header: the header is looked for in its
first ten rows."""
_QUESTION_HEADERS = frozenset(
    {"问题", "常见问题", "客户问题", "用户问题", "客户提问", "提问", "问", "q", "question", "questions", "faq"}
)  # fmt: skip
_ANSWER_HEADERS = frozenset(
    {
        "答案", "回答", "答复", "回复", "解答", "答", "标准回答", "标准答案", "标准回复", "话术", "标准话术",
        "参考话术", "回复话术", "a", "answer", "answers", "reply", "response",
    }
)  # fmt: skip
"""Header names compared without spaces and punctuation, in lower case (`Answer:` is `answer`)."""
_QUESTION_WORDS = re.compile(r"问题|提问|question", re.IGNORECASE)
_ANSWER_WORDS = re.compile(r"答|回复|话术|answer|reply|response", re.IGNORECASE)
_NOT_THE_TEXT = re.compile(r"分类|类别|类型|编号|序号|category|type|id\b|number|no\.", re.IGNORECASE)
"""A column about the question (问题分类, Question ID) rather than the question itself."""
_HEADER_NOISE = re.compile(r"[\s:：*（）()]+")


def workbook_sheets(data: bytes) -> list[tuple[str, list[list[str]]]]:
    """Each worksheet's name and rows of cells as text, as the workbook last showed them (a
    formula's saved result, not the formula)."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return [
            (sheet.title, [[cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)])
            for sheet in workbook.worksheets
        ]
    finally:
        workbook.close()


def cell_text(value: object) -> str:
    """A cell as a reader sees it: 3 not 3.0, a date without a midnight time, no stray spaces."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ", "minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return "\n".join(line.strip() for line in str(value).replace("\r\n", "\n").split("\n")).strip()


def question_answer_pairs(rows: Sequence[Sequence[str]]) -> list[Pair] | None:
    """The sheet's rows as pairs, or None when it has no question and answer columns. A row
    without a question or without an answer has nothing to answer with and is left out; the row's
    other filled cells follow its answer, each named by its column (适用版本：专业版)."""
    found = _header(rows)
    if found is None:
        return None
    at, question_column, answer_column = found
    header = rows[at]
    pairs = []
    for row in rows[at + 1 :]:
        cells = list(row) + [""] * (len(header) - len(row))
        question, answer = cells[question_column], cells[answer_column]
        if not question or not answer:
            continue
        others = [
            f"{name}：{cell}"
            for column, (name, cell) in enumerate(zip(header, cells, strict=False))
            if column not in (question_column, answer_column) and name and cell
        ]
        pairs.append(Pair(" ".join(question.split()), as_paragraphs([*answer.split("\n"), *others])))
    return pairs


def _header(rows: Sequence[Sequence[str]]) -> tuple[int, int, int] | None:
    """(row, question column, answer column) of the first row among the first few that names both."""
    for at, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = [_HEADER_NOISE.sub("", cell).lower() for cell in row]
        question = _column(names, _QUESTION_HEADERS, _QUESTION_WORDS)
        answer = _column(names, _ANSWER_HEADERS, _ANSWER_WORDS, besides=question)
        if question is not None and answer is not None:
            return at, question, answer
    return None


def _column(
    names: list[str], exact: frozenset[str], words: re.Pattern[str], besides: int | None = None
) -> int | None:
    """The column named exactly so, else the first whose name holds such a word (问题描述,
    Customer question) and is not about the text (问题分类)."""
    candidates = [n for n in range(len(names)) if n != besides]
    for column in candidates:
        if names[column] in exact:
            return column
    for column in candidates:
        if words.search(names[column]) and not _NOT_THE_TEXT.search(names[column]):
            return column
    return None


def column_names(sheets: Iterable[tuple[str, Sequence[Sequence[str]]]]) -> str:
    """The first filled row of each sheet, for a refusal that says what the file has instead."""
    shown = []
    for _, rows in sheets:
        first = next((row for row in rows if any(row)), None)
        if first:
            shown.append(", ".join(cell for cell in first if cell)[:120])
    return "; ".join(shown) or "—"
