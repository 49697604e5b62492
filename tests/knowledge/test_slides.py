"""PowerPoint decks read a section per slide: its points, text boxes, tables and speaker notes."""

from __future__ import annotations

import io

import pytest
from pptx import Presentation
from pptx.util import Inches

from knowledge.loaders import DocumentRefused, load_document
from tests.fakes.documents import make_docx

TITLE_AND_CONTENT, TITLE_ONLY, BLANK = 1, 5, 6


def _deck() -> bytes:
    deck = Presentation()
    steps = deck.slides.add_slide(deck.slide_layouts[TITLE_AND_CONTENT])
    steps.shapes.title.text = "续约三步"
    body = steps.placeholders[1].text_frame
    body.text = "提前 90 天启动"
    for words, level in (("准备使用数据报告", 1), ("准备两到三档折扣方案", 0)):
        point = body.add_paragraph()
        point.text, point.level = words, level
    steps.notes_slide.notes_text_frame.text = "先讲价值，再谈价格。"
    note = steps.shapes.add_textbox(Inches(1), Inches(6.5), Inches(4), Inches(0.5))
    note.text_frame.text = "折扣需主管审批"
    deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY]).shapes.title.text = "第二部分"  # a divider
    sla = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY])
    sla.shapes.title.text = "响应时限"
    table = sla.shapes.add_table(3, 2, Inches(1), Inches(2), Inches(6), Inches(2)).table
    for r, row in enumerate([["级别", "首次响应"], ["KA", "15 分钟"], ["普通", "2 小时"]]):
        for c, words in enumerate(row):
            table.cell(r, c).text = words
    untitled = deck.slides.add_slide(deck.slide_layouts[BLANK])
    right = untitled.shapes.add_textbox(Inches(5), Inches(1), Inches(3), Inches(1))
    right.text_frame.text = "右边"
    left = untitled.shapes.add_textbox(Inches(1), Inches(1), Inches(3), Inches(1))
    left.text_frame.text = "左边"
    lower = untitled.shapes.add_textbox(Inches(1), Inches(4), Inches(3), Inches(1))
    lower.text_frame.text = "下面"
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def test_each_slide_with_text_is_a_section_of_its_points_boxes_tables_and_notes() -> None:
    document = load_document("续约培训.pptx", _deck())
    assert document.title == "续约培训"
    assert [(s.title, s.text.split("\n\n")) for s in document.sections] == [
        (
            "续约三步",
            [
                "- 提前 90 天启动\n  - 准备使用数据报告\n- 准备两到三档折扣方案",
                "折扣需主管审批",
                "先讲价值，再谈价格。",
            ],
        ),
        ("响应时限", ["| 级别 | 首次响应 |\n| --- | --- |\n| KA | 15 分钟 |\n| 普通 | 2 小时 |"]),
        ("slide 4", ["左边", "右边", "下面"]),
    ]


def test_a_word_document_renamed_pptx_is_refused_as_what_it_is() -> None:
    with pytest.raises(DocumentRefused) as caught:
        load_document("deck.pptx", make_docx("Notes", [("Intro", ["Kickoff within 5 days."])]))
    assert "it is a Word document" in caught.value.en


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old .ppt format"),
        (b"PK\x03\x04 not a zip really", "not a readable .pptx file"),
    ],
)
def test_old_encrypted_or_broken_decks_are_refused_with_the_reason(data: bytes, reason: str) -> None:
    with pytest.raises(DocumentRefused) as caught:
        load_document("deck.pptx", data)
    assert reason in caught.value.en
