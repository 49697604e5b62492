"""A Word paragraph's text as Word shows it: tracked changes as accepted, lists with their markers.

`paragraph.text` reads only the runs directly in a paragraph. Text inserted with tracked changes
on (a reviewed SOP's new deadline), inside a content control or a simple field is left out, so
"Start 90 days early" read as "Start  days early". And Word keeps a list item's number or bullet
out of its text: it is drawn from the paragraph's numbering (its own or its style's), so
"1. Confirm the invoice" read as "Confirm the invoice", and an answer could not tell steps from
sentences nor a lead ("follow these steps:") from the list it introduces.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docx.oxml.ns import qn

from knowledge.tables import markdown_rows
from knowledge.text import LIST_INDENT, reads_as_heading

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.oxml.xmlchemy import BaseOxmlElement
    from docx.styles.style import ParagraphStyle
    from docx.table import Table
    from docx.text.paragraph import Paragraph

_MARKUP_COMPATIBILITY = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_TEXT_BOX = qn("w:txbxContent")
_FALLBACK = f"{{{_MARKUP_COMPATIBILITY}}}Fallback"
_SHOWN = {qn("w:t"): None, qn("w:tab"): "\t", qn("w:br"): "\n", qn("w:cr"): "\n"}
_NOT_SHOWN = frozenset(
    {
        qn("w:del"),  # deleted with tracked changes on (its words are w:delText, but not its tabs)
        qn("w:moveFrom"),  # moved away with tracked changes on: shown where it was moved to
        _TEXT_BOX,  # floating over the page, not this paragraph's line: see text_box_paragraphs
        _FALLBACK,  # the same drawing again, for older readers
    }
)
NO_NUMBERING = 0
"""numId 0 takes a paragraph out of the list its style would put it in."""
MAX_STYLE_DEPTH = 10
"""Styles based on styles: real documents nest a few; a damaged one could loop."""


class ListMarkers:
    """The marker each list paragraph shows, numbered items counted as Word counts them: per list
    and level, a deeper level starting again under each item above it."""

    def __init__(self, document: DocxDocument) -> None:
        self._formats: dict[tuple[int, int], str] = {}
        self._counts: dict[tuple[int, int], int] = {}
        try:
            self._read_formats(document.part.numbering_part.element)
        except NotImplementedError:  # a document without lists has no numbering to read
            pass
        except ValueError:  # numbering a damaged file cannot count: its items show without markers
            self._formats.clear()

    def _read_formats(self, numbering: BaseOxmlElement) -> None:
        abstract_formats = {
            abstract.get(qn("w:abstractNumId")): {
                int(level.get(qn("w:ilvl"), "0")): _format(level) for level in abstract.findall(qn("w:lvl"))
            }
            for abstract in numbering.findall(qn("w:abstractNum"))
        }
        for num in numbering.findall(qn("w:num")):
            abstract_id = num.find(qn("w:abstractNumId"))
            levels = abstract_formats.get(
                abstract_id.get(qn("w:val")) if abstract_id is not None else None, {}
            )
            for level, number_format in levels.items():
                self._formats[(int(num.get(qn("w:numId"), "0")), level)] = number_format

    def marker(self, paragraph: Paragraph) -> str:
        """`1. `, `- ` (indented by level), or "" for a paragraph that is not a list item."""
        try:
            found = _numbering_of(paragraph)
        except ValueError:  # a list or level that is not a number, in a damaged file
            return ""
        if found is None:
            return ""
        num_id, level = found
        number_format = self._formats.get((num_id, level))
        if number_format is None or number_format == "none":
            return ""
        indent = LIST_INDENT * level
        if number_format == "bullet":
            return f"{indent}- "
        for deeper in [key for key in self._counts if key[0] == num_id and key[1] > level]:
            del self._counts[deeper]
        count = self._counts[(num_id, level)] = self._counts.get((num_id, level), 0) + 1
        return f"{indent}{count}. "


def _format(level: BaseOxmlElement) -> str:
    found = level.find(qn("w:numFmt"))
    return found.get(qn("w:val"), "decimal") if found is not None else "decimal"


def _numbering_of(paragraph: Paragraph) -> tuple[int, int] | None:
    """(list, level) from the paragraph's own numbering, else its style's (List Number, List
    Bullet…) or that of the style it is based on; each of list and level is looked up apart, as
    a paragraph may set only its level in a list its style chose."""
    properties = [paragraph._p.pPr]
    style: ParagraphStyle | None = paragraph.style
    for _ in range(MAX_STYLE_DEPTH):
        if style is None:
            break
        properties.append(style.element.pPr)
        style = style.base_style
    numberings = [found.numPr for found in properties if found is not None and found.numPr is not None]
    num_id = next((int(n.numId.val) for n in numberings if n.numId is not None), NO_NUMBERING)
    if num_id == NO_NUMBERING:
        return None
    return num_id, next((int(n.ilvl.val) for n in numberings if n.ilvl is not None), 0)


def shown_text(paragraph: Paragraph) -> str:
    """The paragraph's words as Word shows them, tracked changes accepted."""
    return _shown(paragraph._p)


def text_box_paragraphs(paragraph: Paragraph) -> list[str]:
    """The words of the text boxes anchored in the paragraph, a paragraph each: a note or callout
    floating beside the text, which is not part of the paragraph's line but is the document's
    text (often anchored in an empty paragraph)."""
    boxes = [
        box
        for box in paragraph._p.iter(_TEXT_BOX)
        if not any(ancestor.tag in (_FALLBACK, _TEXT_BOX) for ancestor in box.iterancestors())
    ]
    found = (_shown(inner).strip() for box in boxes for inner in box.iter(qn("w:p")))
    return [words for words in found if words]


def _shown(element: BaseOxmlElement) -> str:
    parts = []
    for node in element.iter(*_SHOWN):
        ancestor = node.getparent()
        while ancestor is not None and ancestor is not element and ancestor.tag not in _NOT_SHOWN:
            ancestor = ancestor.getparent()
        if ancestor is element:
            parts.append(node.text or "" if _SHOWN[node.tag] is None else _SHOWN[node.tag])
    return "".join(parts)


def bold_heading(paragraph: Paragraph) -> bool:
    """A paragraph written as a heading without Word's heading style, as many documents are: short,
    no sentence punctuation, and bold throughout (`一、分级标准`)."""
    runs = [run for run in paragraph.runs if run.text.strip()]
    return bool(runs) and all(run.bold for run in runs) and reads_as_heading(shown_text(paragraph))


def table_rows(table: Table) -> list[str]:
    """A Word table as Markdown rows. The first row is a header (a separator under it) when its
    text is bold throughout; a merged cell, which Word repeats in each column it spans, is said
    once in a row without a header."""
    grid = [
        [
            " ".join(" ".join(shown_text(paragraph) for paragraph in cell.paragraphs).split())
            for cell in row.cells
        ]
        for row in table.rows
    ]
    grid = [row for row in grid if any(row)]
    if not grid:
        return []
    runs = [
        run
        for cell in table.rows[0].cells
        for paragraph in cell.paragraphs
        for run in paragraph.runs
        if run.text.strip()
    ]
    has_header = len(grid) > 1 and bool(runs) and all(run.bold for run in runs)
    if not has_header:
        grid = [list(dict.fromkeys(cell for cell in row if cell)) for row in grid]
    return markdown_rows(grid, has_header)
