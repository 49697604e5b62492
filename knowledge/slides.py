"""PowerPoint decks (.pptx), such as training decks: a section per slide, titled by the slide's title.

A slide says in bullets what a document says in sentences, and its speaker notes often hold the
explanation the bullets leave out, so both are read. The points of a body placeholder are list
items (indented by level); other text boxes are paragraphs; tables are Markdown rows. Shapes are
read from top to bottom, then left to right, as a reader's eye goes.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from knowledge.tables import as_paragraphs, markdown_rows
from knowledge.text import LIST_INDENT

if TYPE_CHECKING:
    from pptx.shapes.base import BaseShape
    from pptx.slide import Slide


def deck_slides(data: bytes) -> tuple[str, list[tuple[str, str]]]:
    """The deck's title as its properties give it (or ""), and (title, text) for each slide with
    text, in order; a slide without a title is named by its number (`slide 4`)."""
    from pptx import Presentation

    deck = Presentation(io.BytesIO(data))
    slides = []
    for number, slide in enumerate(deck.slides, start=1):
        title_shape = slide.shapes.title
        title = " ".join(title_shape.text_frame.text.split()) if title_shape is not None else ""
        lines = [line for shape in _in_reading_order(slide) for line in _shape_lines(shape)]
        lines += _notes(slide)
        if lines:
            slides.append((title or f"slide {number}", as_paragraphs(lines)))
    return " ".join((deck.core_properties.title or "").split()), slides


def _in_reading_order(slide: Slide) -> list[BaseShape]:
    title_id = getattr(slide.shapes.title, "shape_id", None)
    return _by_position([shape for shape in slide.shapes if shape.shape_id != title_id])


def _by_position(shapes: Iterable[BaseShape]) -> list[BaseShape]:
    """Top to bottom, then left to right (a shape placed by its layout may have no position)."""
    return sorted(shapes, key=lambda shape: (shape.top or 0, shape.left or 0))


def _shape_lines(shape: BaseShape) -> Iterator[str]:
    from pptx.enum.shapes import PP_PLACEHOLDER
    from pptx.shapes.autoshape import Shape
    from pptx.shapes.graphfrm import GraphicFrame
    from pptx.shapes.group import GroupShape

    if isinstance(shape, GroupShape):
        for inner in _by_position(shape.shapes):
            yield from _shape_lines(inner)
        return
    if isinstance(shape, GraphicFrame) and shape.has_table:
        grid = [[" ".join(cell.text.split()) for cell in row.cells] for row in shape.table.rows]
        yield from markdown_rows([row for row in grid if any(row)], has_header=len(grid) > 1)
        return
    if not isinstance(shape, Shape) or not shape.has_text_frame:
        return
    kind = shape.placeholder_format.type if shape.is_placeholder else None
    if kind in (PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.SLIDE_NUMBER):
        return  # the same on every slide, like a PDF's running lines
    points = kind in (PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT)
    for paragraph in shape.text_frame.paragraphs:
        words = " ".join(paragraph.text.split())
        if words:
            yield f"{LIST_INDENT * paragraph.level}- {words}" if points else words


def _notes(slide: Slide) -> list[str]:
    """The speaker notes, paragraph by paragraph: what the presenter says over the bullets."""
    if not slide.has_notes_slide:
        return []
    frame = slide.notes_slide.notes_text_frame
    if frame is None:
        return []
    return [words for paragraph in frame.paragraphs if (words := " ".join(paragraph.text.split()))]
