"""Ingested files: Markdown, text in several encodings, HTML, DOCX, PDF, decks and spreadsheets.
Random bytes and broken copies of real files must be refused with DocumentRefused, never crash the
ingest."""

from __future__ import annotations

import io
import zipfile
from functools import cache

from hypothesis import example, given
from hypothesis import strategies as st

from knowledge.loaders import SUPPORTED_SUFFIXES, DocumentRefused, LoadedDocument, load_document
from tests.fakes.documents import encrypt_pdf, make_docx, make_pdf
from tests.fuzz.support import ENCODINGS, check_refusal, encoded, fuzz, hostile_text

TEXT_SUFFIXES = (".md", ".markdown", ".txt", ".text", ".html", ".htm")


def load(name: str, data: bytes) -> LoadedDocument | None:
    """The document, or None after checking the refusal is a DocumentRefused with clear messages."""
    try:
        document = load_document(name, data)
    except DocumentRefused as error:
        check_refusal(error)
        return None
    assert document.sections and all(section.text.strip() for section in document.sections)
    assert isinstance(document.title, str)
    return document


@cache
def _docx() -> bytes:
    return make_docx(
        "售后手册",
        [("客诉处理", ["两小时内响应。"]), ("回访", ["三天内回访。"])],
        table=[["级别", "时限"], ["紧急", "2小时"]],
    )


@cache
def _xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    for row in (
        ["问题", "答案", "分类"],
        ["发票多久能开？", "3 个工作日内。", "发票"],
        ["能退款吗？", "7 天内可以。", None],
    ):
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@cache
def _pptx() -> bytes:
    from pptx import Presentation

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "续约三步"
    slide.placeholders[1].text_frame.text = "提前 90 天启动"
    slide.notes_slide.notes_text_frame.text = "先讲价值。"
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


@cache
def _pdf() -> bytes:
    return make_pdf([["Renewal playbook", "Start 90 days early."], ["Prepare two offers."]], title="Renewals")


@cache
def _encrypted_pdf() -> bytes:
    return encrypt_pdf(_pdf())


def _zip_with(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


@st.composite
def damaged(draw: st.DrawFn, original: bytes) -> bytes:
    """A real file cut short, with bytes overwritten, or with a stretch deleted or repeated."""
    data = bytearray(original)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        if not data:
            break
        kind = draw(st.sampled_from(["cut", "flip", "delete", "repeat"]))
        at = draw(st.integers(min_value=0, max_value=len(data) - 1))
        if kind == "cut":
            del data[at:]
        elif kind == "flip":
            data[at : at + 4] = draw(st.binary(min_size=1, max_size=4))
        elif kind == "delete":
            del data[at : at + draw(st.integers(min_value=1, max_value=64))]
        else:
            data[at:at] = data[at : at + draw(st.integers(min_value=1, max_value=64))]
    return bytes(data)


markup = st.lists(
    st.one_of(
        hostile_text,
        st.sampled_from(
            [
                "# ",
                "## ",
                "#### ",
                "##### ",
                "Source: https://x.example/a",
                "原文链接：http://a",
                "<h1>",
                "</h1>",
                "<p>",
                "<li>",
                "<script>",
                "<title>",
                '<link rel="canonical" href="',
                "<meta property='og:url' content=",
                "<body>",
                "<!--",
                "<![CDATA[",
                "&amp;",
                "&#0;",
                "&#x110000;",
                "<svg>",
                "\x00H",
                "\x00H9 x",
            ]
        ),
    ),
    max_size=12,
).map("\n".join)


@fuzz()
@given(st.sampled_from(TEXT_SUFFIXES), markup, st.sampled_from(ENCODINGS))
@example(".md", "\x00H", "utf-8")
@example(".html", "<h1>\x00H9</h1>", "utf-8")
def test_text_documents_in_any_encoding(suffix: str, text: str, encoding: str) -> None:
    load(f"doc{suffix}", encoded(text, encoding))


@fuzz()
@given(st.sampled_from((*SUPPORTED_SUFFIXES, ".doc", "", ".PDF", ".xlsx")), st.binary(max_size=400))
def test_random_bytes_under_any_name(suffix: str, data: bytes) -> None:
    load(f"file{suffix}", data)


@fuzz(scale=0.3)
@given(st.deferred(lambda: damaged(_docx())))
@example(b"PK\x03\x04" + b"\x00" * 40)
def test_damaged_docx_files(broken: bytes) -> None:
    load("manual.docx", broken)


@fuzz(scale=0.3)
@given(st.deferred(lambda: damaged(_xlsx())))
def test_damaged_xlsx_files(broken: bytes) -> None:
    load("faq.xlsx", broken)


@fuzz(scale=0.3)
@given(st.deferred(lambda: damaged(_pptx())))
def test_damaged_pptx_files(broken: bytes) -> None:
    load("training.pptx", broken)


@fuzz(scale=0.3)
@given(
    st.dictionaries(
        st.sampled_from(
            ["[Content_Types].xml", "word/document.xml", "_rels/.rels", "docProps/core.xml", "x"]
        ),
        st.one_of(st.binary(max_size=60), hostile_text.map(str.encode)),
        max_size=4,
    )
)
@example({"[Content_Types].xml": b""})  # lxml's XMLSyntaxError escaped
def test_zip_files_that_are_not_docx(entries: dict[str, bytes]) -> None:
    load("manual.docx", _zip_with(entries))


@fuzz(scale=0.5)
@given(st.one_of(st.deferred(lambda: damaged(_pdf())), st.deferred(lambda: damaged(_encrypted_pdf()))))
@example(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 1 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF")
@example(_encrypted_pdf().replace(b"/V 2", b"/V 0"))  # pypdf: NotImplementedError
@example(_encrypted_pdf().replace(b"/Filter /Standard", b"/Filter /Other"))
def test_damaged_pdf_files(broken: bytes) -> None:
    load("renewals.pdf", broken)
