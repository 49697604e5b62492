"""Word paragraphs read as Word shows them: tracked changes accepted, lists with their markers."""

from __future__ import annotations

import io
from copy import deepcopy

import docx
from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.text.paragraph import Paragraph

from knowledge.composition import answer_units
from knowledge.loaders import load_document


def _saved(document: DocxDocument) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _in_list(paragraph: Paragraph, num_id: int, level: int) -> None:
    numbering = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    numbering.get_or_add_numId().val = num_id
    numbering.get_or_add_ilvl().val = level


def _two_level_list(document: DocxDocument) -> int:
    """The List Number list with a second level, as Word's own lists have (nine, in fact)."""
    num_id = int(document.styles["List Number"].element.pPr.numPr.numId.val)
    numbering = document.part.numbering_part.element
    num = next(n for n in numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == str(num_id))
    abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    abstract = next(
        a for a in numbering.findall(qn("w:abstractNum")) if a.get(qn("w:abstractNumId")) == abstract_id
    )
    second = deepcopy(abstract.find(qn("w:lvl")))
    second.set(qn("w:ilvl"), "1")
    abstract.append(second)
    return num_id


def test_numbered_and_bulleted_items_keep_their_markers_under_their_lead() -> None:
    document = docx.Document()
    document.add_heading("Late payment", level=1)
    document.add_paragraph("When a client pays late, follow these steps:")
    for step in ("Confirm the invoice was received", "The team lead joins the call", "Finance decides"):
        document.add_paragraph(step, style="List Number")
    document.add_paragraph("Attach:")
    for item in ("Call log", "Invoice copy"):
        document.add_paragraph(item, style="List Bullet")
    section = load_document("late.docx", _saved(document)).sections[0]
    assert section.text.split("\n\n") == [
        "When a client pays late, follow these steps:",
        "1. Confirm the invoice was received\n2. The team lead joins the call\n3. Finance decides",
        "Attach:",
        "- Call log\n- Invoice copy",
    ]


def test_a_deeper_level_is_indented_and_counts_again_under_each_item() -> None:
    document = docx.Document()
    document.add_heading("Kickoff", level=1)
    num_id = _two_level_list(document)
    for words, level in (("Agenda", 0), ("Goals", 1), ("Owners", 1), ("Follow-up", 0), ("Minutes", 1)):
        _in_list(document.add_paragraph(words), num_id, level)
    lines = load_document("kickoff.docx", _saved(document)).sections[0].text.split("\n")
    assert lines == ["1. Agenda", "  1. Goals", "  2. Owners", "2. Follow-up", "  1. Minutes"]


def test_a_paragraph_taken_out_of_its_styles_list_has_no_marker() -> None:
    document = docx.Document()
    document.add_heading("Notes", level=1)
    document.add_paragraph("Numbered", style="List Number")
    _in_list(document.add_paragraph("Taken out", style="List Number"), 0, 0)
    paragraphs = load_document("notes.docx", _saved(document)).sections[0].text.split("\n\n")
    assert paragraphs == ["1. Numbered", "Taken out"]


def test_a_document_without_numbering_definitions_reads_its_items_as_plain_paragraphs() -> None:
    document = docx.Document()
    document.add_heading("Notes", level=1)
    document.add_paragraph("Call log", style="List Bullet")
    numbering = next(r for r, rel in document.part.rels.items() if rel.reltype == RELATIONSHIP_TYPE.NUMBERING)
    document.part.rels.pop(numbering)
    assert load_document("notes.docx", _saved(document)).sections[0].text == "Call log"


def test_a_list_number_that_is_not_a_number_does_not_stop_the_document_being_read() -> None:
    document = docx.Document()
    document.add_heading("Notes", level=1)
    paragraph = document.add_paragraph("Call log")
    _in_list(paragraph, 1, 0)
    numbering = paragraph._p.pPr.numPr
    numbering.numId.set(qn("w:val"), "x")
    assert load_document("notes.docx", _saved(document)).sections[0].text == "Call log"


def _tracked(kind: str, words: str) -> object:
    text = "delText" if kind == "del" else "t"
    return parse_xml(
        f'<w:{kind} {nsdecls("w")} w:id="1" w:author="Reviewer" w:date="2026-11-02T09:00:00Z">'
        f'<w:r><w:{text} xml:space="preserve">{words}</w:{text}></w:r></w:{kind}>'
    )


def test_tracked_changes_read_as_accepted_in_paragraphs_and_table_cells() -> None:
    document = docx.Document()
    document.add_heading("Renewal", level=1)
    paragraph = document.add_paragraph("Start ")
    paragraph._p.append(_tracked("del", "60"))
    paragraph._p.append(_tracked("ins", "90"))
    paragraph.add_run(" days before the contract ends.")
    cell = document.add_table(rows=1, cols=2).cell(0, 1).paragraphs[0]
    cell.add_run("Discount ")
    cell._p.append(_tracked("ins", "up to 15%"))
    section = load_document("renewal.docx", _saved(document)).sections[0]
    assert section.text.split("\n")[0] == "Start 90 days before the contract ends."
    assert "Discount up to 15%" in section.text
    assert "60" not in section.text


def _text_box(words: str, fallback: bool = False) -> object:
    """A run holding a text box, as Word writes one (a drawing, with the same box again in a
    fallback picture for older readers when `fallback`)."""
    box = f"<w:txbxContent><w:p><w:r><w:t>{words}</w:t></w:r></w:p></w:txbxContent>"
    if not fallback:
        return parse_xml(f"<w:r {nsdecls('w')}><w:pict>{box}</w:pict></w:r>")
    return parse_xml(
        f'<w:r {nsdecls("w")} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
        f'<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>{box}</w:drawing></mc:Choice>'
        f"<mc:Fallback><w:pict>{box}</w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    )


def test_words_in_a_content_control_are_read_and_a_text_box_is_its_own_paragraph() -> None:
    document = docx.Document()
    document.add_heading("Contacts", level=1)
    paragraph = document.add_paragraph("Owner: ")
    paragraph._p.append(
        parse_xml(f"<w:sdt {nsdecls('w')}><w:sdtContent><w:r><w:t>Li Na</w:t></w:r></w:sdtContent></w:sdt>")
    )
    paragraph._p.append(_text_box("Backup: Wang Wei"))
    document.add_paragraph()._p.append(_text_box("Escalate after 2 hours", fallback=True))
    section = load_document("contacts.docx", _saved(document)).sections[0]
    assert section.text.split("\n\n") == ["Owner: Li Na", "Backup: Wang Wei", "Escalate after 2 hours"]


def test_a_paragraph_without_punctuation_is_not_run_into_the_next_in_an_answer() -> None:
    document = docx.Document()
    document.add_heading("Renewal", level=1)
    for words in ("Internal only", "Trainer: stress value before price.", "Discount tiers"):
        document.add_paragraph(words)
    section = load_document("renewal.docx", _saved(document)).sections[0]
    assert answer_units(section.text) == [
        "Internal only",
        "Trainer: stress value before price.",
        "Discount tiers",
    ]
