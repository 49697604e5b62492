"""A PDF page's text as its reader sees it: without running headers and footers, and in paragraphs.

A PDF keeps no paragraphs, only lines placed on the page, and its text comes out one printed line
at a time. Read as it is, a sentence wrapped over two lines becomes two half sentences in an
answer, a heading runs into the sentence under it, and a word hyphenated at a line's end stays cut
(`re- minder`). The rules here undo the layout from the text alone, since a page's lines are all
that every PDF, whatever made it, gives back.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from knowledge.tables import as_paragraphs
from knowledge.text import INNER_HEADING, SENTENCE_ENDINGS, joined_lines, reads_as_heading, screen_width

MIN_PAGES_FOR_RUNNING_LINES = 3
RUNNING_EDGE = 2
"""Running headers and footers are looked for among a page's first and last two lines."""
_DIGITS = re.compile(r"\d+")

WRAPPED_SHARE = 0.7
"""A line at least this share of the page's usual full line (see `_full_width`) ran to the right
margin, so its sentence goes on in the next line; a shorter one ended where its writer ended it."""
MIN_TEXT_WIDTH = 40
"""Lines on a page whose full lines are narrower than this (40 letters, 20 Chinese characters) are
slide bullets or a form's fields, not wrapped text: they are never joined nor read as headings."""
_BULLET = re.compile(r"^[•●▪■◦○·\uf0b7\uf0a7\uf076\uf0d8\u2013\u2014]\s*")
"""Bullet glyphs as PDFs print them (Word's Symbol bullets come out as private-use characters)."""
_STARTS_ITEM = re.compile(
    r"^(?:-\s|\d+[.)]\s|\d+、|[（(]\d+[)）]|[\u2460-\u2473]|[一二三四五六七八九十]+、|第[一二三四五六七八九十\d]+[步条章节部分])"
)
"""How a list item or a numbered part starts: `- `, `1. `, `1、`, `（1）`, `①`, `二、`, `第三步`."""
_GOES_ON = (",", "，", "、", "(", "（", "-", "/")
"""A line ending so is cut mid-sentence, however short it is."""
_ENDS_CLAUSE = (*SENTENCE_ENDINGS, ";", "；", "!", "?")
_HYPHENATED = re.compile(r"[A-Za-z]-$")


def without_running_lines(pages: list[str]) -> list[str]:
    """Pages without their running headers and footers: a line among a page's first or last two
    that, its digits aside (`Page 3 of 12`, `第 3 页`), tops or ends at least half of the pages,
    three or more. Left in, it would be quoted in answers and make every page look alike."""
    if len(pages) < MIN_PAGES_FOR_RUNNING_LINES:
        return pages
    lines = [[line.strip() for line in page.splitlines() if line.strip()] for page in pages]

    def edges(page: list[str]) -> Iterator[tuple[int, str]]:
        """Each line near the page's top or bottom, by position, its digits as #."""
        for number, line in enumerate(page):
            if number < RUNNING_EDGE or number >= len(page) - RUNNING_EDGE:
                yield number, _DIGITS.sub("#", line)

    counts = Counter(line for page in lines for line in {line for _, line in edges(page)})
    least = max(MIN_PAGES_FOR_RUNNING_LINES, len(pages) / 2)
    running = {line for line, count in counts.items() if count >= least}
    if not running:
        return pages
    kept = []
    for page in lines:
        dropped = {number for number, line in edges(page) if line in running}
        kept.append("\n".join(line for number, line in enumerate(page) if number not in dropped))
    return kept


def reflowed(page: str) -> str:
    """The page's lines as paragraphs, a blank line between them: a line that ran to the margin
    without ending its sentence is joined to the next, a short line without punctuation that opens
    a paragraph of text is a heading (`##### Escalation steps`), and a bullet glyph is a Markdown
    list item."""
    lines = [_BULLET.sub("- ", line.strip()) for line in page.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return ""
    full = _full_width(lines)
    paragraphs: list[str] = []
    current, printed = lines[0], lines[0]  # the paragraph so far, and its last printed line
    for line in lines[1:]:
        if current == printed and _heading(printed, line, full):
            paragraphs.append(INNER_HEADING + current)
        elif _goes_on(printed, line, full):
            current, printed = _joined(current, line), line
            continue
        else:
            paragraphs.append(current)
        current = printed = line
    paragraphs.append(current)
    return as_paragraphs(paragraphs)


def _full_width(lines: list[str]) -> int:
    """The width of the page's full lines: the longest but for the odd overlong line (a web
    address), so one stray line does not make every other look short."""
    widths = sorted(screen_width(line) for line in lines)
    return widths[int(0.9 * (len(widths) - 1))]


def _ran_to_margin(line: str, full: int) -> bool:
    return full >= MIN_TEXT_WIDTH and screen_width(line) >= WRAPPED_SHARE * full


def _heading(line: str, following: str, full: int) -> bool:
    """A short line without punctuation before text (a full line, a sentence or a list item), on
    a page of wrapped text: on a slide every line is short."""
    if full < MIN_TEXT_WIDTH or _ran_to_margin(line, full) or not reads_as_heading(line):
        return False
    return (
        _ran_to_margin(following, full)
        or following.endswith(_ENDS_CLAUSE)
        or bool(_STARTS_ITEM.match(following))
    )


def _goes_on(line: str, following: str, full: int) -> bool:
    """Whether the sentence of `line` continues in `following`."""
    if _STARTS_ITEM.match(following) or line.endswith(_ENDS_CLAUSE):
        return False
    return line.endswith(_GOES_ON) or _ran_to_margin(line, full)


def _joined(line: str, following: str) -> str:
    if _HYPHENATED.search(line) and following[:1].islower():
        return line[:-1] + following  # re- / minder: a word cut at the margin
    return joined_lines(line, following)
