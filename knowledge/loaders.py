"""Reading the team's documents: Markdown, plain text, HTML, DOCX, PDF, PowerPoint decks and
question-and-answer spreadsheets (.xlsx, .csv), into titled sections.

Every way a file can be unusable (binary, encrypted, empty, too large, unknown encoding, not what
its extension says) is refused with a reason in both languages before anything reaches the index.
The type is checked by content: a PDF renamed .txt, a workbook renamed .docx or a web page saved
as .pdf is refused as what it is.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from itertools import pairwise
from pathlib import PurePath
from typing import TYPE_CHECKING

from charset_normalizer import from_bytes

from knowledge.faq import headed_pair, question_page
from knowledge.html_text import html_table_rows, main_content, page_title, without_chrome
from knowledge.pdf_text import reflowed, without_running_lines
from knowledge.slides import deck_slides
from knowledge.spreadsheets import cell_text, column_names, question_answer_pairs, workbook_sheets
from knowledge.tables import as_paragraphs
from knowledge.text import INNER_HEADING, SENTENCE_ENDINGS, reads_as_heading
from knowledge.wiki_markup import front_matter_title, without_wiki_markup
from skills.csv_files import binary_format, csv_reader
from skills.errors import SkillError

if TYPE_CHECKING:
    from bs4 import Tag
    from docx.document import Document as DocxDocument

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
"""20 MB per file: far beyond any SOP or article; larger files are usually scans or exports."""
SUPPORTED_SUFFIXES = (
    ".md",
    ".markdown",
    ".txt",
    ".text",
    ".html",
    ".htm",
    ".docx",
    ".pdf",
    ".pptx",
    ".xlsx",
    ".csv",
)
SPREADSHEET_SUFFIXES = (".xlsx", ".csv")
"""Read as questions and answers; shared in Slack they are learned only when asked, since most
spreadsheets people share are data to analyse."""
_PLAIN_TEXT_SUFFIXES = (".txt", ".text")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""Encrypted .docx files (and old .doc files) are OLE compound files, not zip archives."""
_ZIP_MAGIC = b"PK\x03\x04"
_PDF_MAGIC = b"%PDF-"
PDF_HEADER_WINDOW = 1024
"""Readers accept the %PDF- header anywhere in the first 1,024 bytes, and so does opsbot."""
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
"""What a .docx, .pptx or .xlsx may unpack to: ten times the file limit, far beyond real documents;
more is a zip bomb that would exhaust memory while it is read."""
MAX_SECTION_LEVEL = 4
"""Headings #…#### start sections; deeper ones stay in their section's text."""
_URL_LINE = re.compile(
    r"^\s*(?:url|source|link|原文链接|原文地址|来源链接|链接)\s*[:\uff1a]\s*(https?://\S+)\s*$", re.I
)
_HEADING_MARK = "\x00H"
_UNSHOWN_MARKDOWN = re.compile(r"<!--.*?-->|!\[[^\]\n]*\]\([^)\n]*\)", re.DOTALL)
"""HTML comments (notes to the editors: `<!-- TODO -->`) and images (`![flow](flow.png)`): a reader of
the page never sees them, and an answer quoting them would show the markup."""
_SPACE_BY_CJK = re.compile(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])\s+(?=[\u4e00-\u9fff])")
"""A space the tags of a heading left between Chinese characters (`<b>二、</b>处理流程` → `二、 处理流程`)."""
_BOLD_LINE = re.compile(r"^(?:\*\*|__)(.+?)(?:\*\*|__)$")


class DocumentRefused(SkillError):
    """A file that cannot be indexed, and why, in both languages."""


@dataclass(frozen=True)
class LoadedSection:
    title: str
    text: str
    """The original text, as it will be shown in answers."""


@dataclass(frozen=True)
class LoadedDocument:
    title: str
    sections: tuple[LoadedSection, ...]
    url: str | None = None


def load_document(name: str, data: bytes) -> LoadedDocument:
    """Parse `data` by the suffix of `name`; DocumentRefused for anything that cannot be indexed."""
    suffix = PurePath(name).suffix.lower()
    stem = PurePath(name).stem or name
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentRefused(
            f"{name}: {suffix or 'no extension'} files are not supported; use "
            f"{', '.join(SUPPORTED_SUFFIXES)}.",
            f"{name}:不支持 {suffix or '无扩展名'} 文件;支持 {', '.join(SUPPORTED_SUFFIXES)}。",
        )
    if len(data) > MAX_DOCUMENT_BYTES:
        raise too_large(name, len(data))
    if not data.strip():
        raise DocumentRefused(f"{name} is empty.", f"{name} 是空文件。")
    if suffix == ".docx":
        document = _docx(name, stem, data)
    elif suffix == ".pdf":
        document = _pdf(name, stem, data)
    elif suffix == ".pptx":
        document = _deck(name, stem, data)
    elif suffix == ".xlsx":
        document = _question_sheets(name, stem, _workbook(name, data))
    elif suffix == ".csv":
        document = _question_sheets(name, stem, [(stem, _csv_rows(name, data))])
    else:
        text = decode_text(name, data)
        if suffix in (".html", ".htm"):
            document = _html(stem, text)
        elif suffix in _PLAIN_TEXT_SUFFIXES:
            document = _markdown(stem, _headings_as_markdown(text))
        else:
            title, text = front_matter_title(text.replace("\r\n", "\n").replace("\r", "\n"))
            document = _markdown(
                stem, _headings_as_markdown(without_wiki_markup(text), bold_only=True), title
            )
    sections = tuple(s for section in document.sections for s in _pairs_apart(section) if s.text.strip())
    if not sections:
        raise DocumentRefused(f"{name} has no text to index.", f"{name} 没有可索引的文字。")
    return LoadedDocument(document.title, sections, document.url)


def _pairs_apart(section: LoadedSection) -> list[LoadedSection]:
    """A question-and-answer section as a section per pair, titled by its question, which also
    heads its text: an answer quoted without its question ("Yes, for plans under 50 seats.") says
    nothing, and an answer leads with the question in bold. A section headed by its question
    (`## Q: …` over `A: …`) is such a pair already. Any other section as it is."""
    pair = headed_pair(section.title, section.text)
    if pair is not None:
        return [_pair_section(pair.question, pair.answer)]
    page = question_page(section.text)
    if page is None:
        return [section]
    intro = [LoadedSection(section.title, page.intro)] if page.intro else []
    return intro + [_pair_section(pair.question, pair.answer) for pair in page.pairs]


def _pair_section(question: str, answer: str) -> LoadedSection:
    return LoadedSection(question, f"{INNER_HEADING}{question}\n\n{answer}")


def _deck(name: str, stem: str, data: bytes) -> LoadedDocument:
    _check_office_archive(name, data, _POWERPOINT)
    try:
        title, slides = deck_slides(data)
    except Exception:  # a broken deck fails anywhere in python-pptx and its XML parser
        raise DocumentRefused(
            f"{name} is not a readable .pptx file.", f"{name} 不是可读取的 .pptx 文件。"
        ) from None
    return LoadedDocument(title or stem, tuple(LoadedSection(heading, text) for heading, text in slides))


def _workbook(name: str, data: bytes) -> list[tuple[str, list[list[str]]]]:
    _check_office_archive(name, data, _EXCEL)
    try:
        return workbook_sheets(data)
    except Exception:  # a broken workbook fails anywhere in openpyxl and its XML parser
        raise DocumentRefused(
            f"{name} is not a readable .xlsx file.", f"{name} 不是可读取的 .xlsx 文件。"
        ) from None


def _csv_rows(name: str, data: bytes) -> list[list[str]]:
    try:
        return [[cell_text(cell) for cell in row] for row in csv_reader(decode_text(name, data))]
    except DocumentRefused:
        raise
    except SkillError as error:  # a quote never closed, a huge cell: said with the line
        raise DocumentRefused(f"{name}: {error.en}", f"{name}:{error.zh}") from None


def _question_sheets(name: str, stem: str, sheets: list[tuple[str, list[list[str]]]]) -> LoadedDocument:
    """A spreadsheet as its question-and-answer rows, a section per row; one without a question and
    an answer column is data, not a document, and is refused saying what it has instead."""
    found = [pairs for _, rows in sheets if (pairs := question_answer_pairs(rows)) is not None]
    if not found:
        columns = column_names(sheets)
        raise DocumentRefused(
            f"{name} has no question and answer columns, so it reads as data rather than answers. "
            "A spreadsheet is indexed as questions and answers: name one column Question (or 问题) and "
            f"one Answer (or 答案). Its columns: {columns}.",
            f"{name} 没有问题列和答案列,看起来是数据而不是问答。表格按问答收录:请把一列命名为“问题”"
            f"(或 Question),一列命名为“答案”(或 Answer)。它现有的列:{columns}。",
        )
    return LoadedDocument(stem, tuple(_pair_section(p.question, p.answer) for pairs in found for p in pairs))


def too_large(name: str, size: int) -> DocumentRefused:
    """The refusal for a file over MAX_DOCUMENT_BYTES, with its size and what to do."""
    limit = MAX_DOCUMENT_BYTES // 1024 // 1024
    return DocumentRefused(
        f"{name} is {size / 1e6:.1f} MB; the limit is {limit} MB per file. Split it first.",
        f"{name} 有 {size / 1e6:.1f} MB,单个文件上限为 {limit} MB,请先拆分。",
    )


def decode_text(name: str, data: bytes) -> str:
    """UTF-8 (BOM or not) first; else the better of GB18030 and Big5 by charset detection. A known
    binary format is refused by its first bytes: a PDF has no NUL early on and would decode."""
    kind = binary_format(data)
    if kind is not None:
        raise DocumentRefused(
            f"{name} looks binary, not text: it is {kind[0]}. Share it with its real extension "
            "(.pdf, .docx), or save it as UTF-8 text.",
            f"{name} 看起来是二进制文件而不是文本:它是{kind[1]}。请用它真正的扩展名(.pdf、.docx)分享,"
            "或另存为 UTF-8 文本。",
        )
    if b"\x00" in data[:8192]:
        raise DocumentRefused(
            f"{name} looks binary, not text. Save it as UTF-8 text, or use .docx/.pdf.",
            f"{name} 看起来是二进制文件而不是文本。请另存为 UTF-8 文本,或使用 .docx/.pdf。",
        )
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data, cp_isolation=["gb18030", "big5", "utf_8"]).best()
    if best is None or best.encoding not in ("gb18030", "big5", "utf_8"):
        raise DocumentRefused(
            f"{name}: unknown text encoding. Save it as UTF-8.", f"{name}:无法识别文本编码,请另存为 UTF-8。"
        )
    return str(best)


def _markdown(stem: str, text: str, title: str = "") -> LoadedDocument:
    """Markdown or plain text: headings (#…####, or underlined) start sections; a `Source: URL` line
    gives the link. Headings are found by a Markdown parser, so a `# comment` inside a code block
    stays in its section with the rest of the code. `title` is the one a front matter block gave;
    a first-level heading repeating it is not a section."""
    url = None
    sections: list[LoadedSection] = []
    heading, lines = "", []
    text = _UNSHOWN_MARKDOWN.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    headings = _markdown_headings(text)
    skipped: set[int] = set()

    def flush() -> None:
        body = "\n".join(lines).strip()
        if body:
            sections.append(LoadedSection(heading or title or stem, body))

    for index, line in enumerate(text.split("\n")):
        if index in skipped:
            continue
        if index in headings:
            level, words, end = headings[index]
            skipped.update(range(index + 1, end))  # a setext heading's underline
            if level == 1 and (not title or words == title):
                title = words
                continue
            flush()
            heading, lines = words, []
            continue
        if match := _URL_LINE.match(line):
            url = url or match.group(1)
            continue
        lines.append(line)
    flush()
    if not title:
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        if 0 < len(first) <= 40 and not first.endswith(SENTENCE_ENDINGS):
            title = first  # a short first line without a sentence end is the title of a text file
            if sections and sections[0].text.startswith(first):
                rest = sections[0].text[len(first) :].strip()
                sections[0] = LoadedSection(first if sections[0].title == stem else sections[0].title, rest)
        else:
            title = stem
    return LoadedDocument(title, tuple(s for s in sections if s.text), url)


def _headings_as_markdown(text: str, bold_only: bool = False) -> str:
    """The headings of a file written without Markdown's, as Markdown ones: a short line with no
    sentence punctuation that follows a blank line and comes before more text (`二、处理流程`,
    `Escalation rules`), or with `bold_only` (a Markdown file) such a line in bold throughout
    (`**二、处理流程**`, as exported documents write headings). The first line is left as it is:
    `_markdown` reads it as the title. Without this, the file is one section, and a heading reads
    as the start of the sentence under it."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    filled = [number for number, line in enumerate(lines) if line.strip()]
    if len(filled) < 3 or any(line.lstrip().startswith("#") for line in lines):
        return text  # no room for a title, a heading and its text, or Markdown headings of its own
    for before, number in pairwise(filled[:-1]):  # the last line has no text after it
        line = lines[number].strip()
        bold = _BOLD_LINE.match(line)
        words = bold.group(1).strip() if bold else ("" if bold_only else line)
        if number - before > 1 and reads_as_heading(words):
            lines[number] = f"## {words}"
    return "\n".join(lines)


def _markdown_headings(text: str) -> dict[int, tuple[int, str, int]]:
    """First line → (level, words, the line after the heading) for each top-level heading up to
    level 4 (one in a list or a quote is part of its text)."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(text)
    headings: dict[int, tuple[int, str, int]] = {}
    for position, token in enumerate(tokens):
        level = int(token.tag[1:]) if token.type == "heading_open" else 0
        if 1 <= level <= MAX_SECTION_LEVEL and token.level == 0 and token.map is not None:
            words = " ".join(tokens[position + 1].content.split())
            if words:
                headings[token.map[0]] = (level, words, token.map[1])
    return headings


_DROPPED_HTML = ("script", "style", "noscript", "nav", "footer", "header", "aside", "form", "iframe", "svg")
_BLOCK_HTML = ("p", "div", "li", "tr", "br", "pre", "blockquote", "section", "article", "table", "ul", "ol")


def _html(stem: str, text: str) -> LoadedDocument:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")
    canonical = soup.find("link", rel="canonical")
    og_url = soup.find("meta", property="og:url")
    url = (canonical.get("href") if canonical else None) or (og_url.get("content") if og_url else None)
    title_tag = soup.find("title")
    title = title_tag.get_text(" ", strip=True) if title_tag else ""
    for tag in soup(list(_DROPPED_HTML)):
        tag.decompose()
    trail = without_chrome(soup)
    first_heading = soup.find("h1")
    title = page_title(title, first_heading.get_text(" ", strip=True) if first_heading else "", trail)
    content = main_content(soup)
    if not soup.find(["h2", "h3", "h4"]):
        for paragraph in soup.find_all("p"):
            if _bold_throughout(paragraph) and reads_as_heading(paragraph.get_text(" ", strip=True)):
                paragraph.name = "h2"
    for heading in soup.find_all(["h1", "h2", "h3", "h4"]):
        words = _SPACE_BY_CJK.sub("", heading.get_text(" ", strip=True))
        heading.replace_with(f"\n{_HEADING_MARK}{heading.name[1]} {words}\n")
    for item in soup.find_all("li"):
        item.insert(0, "- ")
    for table in soup.find_all("table"):
        table.replace_with(f"\n{html_table_rows(table)}\n")
    for block in soup.find_all(list(_BLOCK_HTML)):
        block.insert_before("\n")
        block.insert_after("\n")
    lines = [line.strip() for line in content.get_text("").splitlines() if line.strip()]
    markdown = as_paragraphs(
        f"{'#' * int(line[2])} {line[4:]}" if line.startswith(_HEADING_MARK) else line for line in lines
    )
    document = _markdown(stem, markdown, title)
    return LoadedDocument(document.title, document.sections, str(url) if url else None)


def _bold_throughout(paragraph: Tag) -> bool:
    """All of the paragraph's text inside <strong> or <b>: how a page without heading tags (a WeChat
    article, say) writes its headings."""
    bold = "".join(tag.get_text("", strip=True) for tag in paragraph.find_all(["strong", "b"]))
    text = paragraph.get_text("", strip=True)
    return bool(text) and len(bold) >= len(text)


def _docx(name: str, stem: str, data: bytes) -> LoadedDocument:
    _check_office_archive(name, data, _WORD)
    try:
        import docx

        return _docx_sections(docx.Document(io.BytesIO(data)), stem)
    except Exception:  # a broken archive fails anywhere in python-docx and lxml, with any error type
        raise DocumentRefused(
            f"{name} is not a readable .docx file.", f"{name} 不是可读取的 .docx 文件。"
        ) from None


@dataclass(frozen=True)
class _OfficeFormat:
    suffix: str
    member: str
    """The part every such archive holds."""
    app: str
    what_en: str
    what_zh: str


_WORD = _OfficeFormat(".docx", "word/document.xml", "Word", "a Word document", "Word 文档")
_EXCEL = _OfficeFormat(".xlsx", "xl/workbook.xml", "Excel", "an Excel workbook", "Excel 工作簿")
_POWERPOINT = _OfficeFormat(
    ".pptx", "ppt/presentation.xml", "PowerPoint", "a PowerPoint deck", "PowerPoint 演示文稿"
)


def _check_office_archive(name: str, data: bytes, expected: _OfficeFormat) -> None:
    """A .docx, .pptx or .xlsx is a ZIP archive holding its main part, unpacking to a sane size:
    anything else (a PDF or a workbook renamed .docx, a zip bomb) is refused before it is read."""
    suffix, app = expected.suffix, expected.app
    if data.startswith(_OLE_MAGIC):
        raise DocumentRefused(
            f"{name} is password-protected (or in the old {suffix[:-1]} format). Remove the password and "
            f"save it as {suffix}.",
            f"{name} 设有密码(或是旧的 {suffix[:-1]} 格式)。请去掉密码并另存为 {suffix}。",
        )
    if not data.startswith(_ZIP_MAGIC):
        kind = binary_format(data)
        what_en, what_zh = (
            kind if kind is not None else (f"not {expected.what_en}", f"不是 {expected.what_zh}")
        )
        raise DocumentRefused(
            f"{name} is not a readable {suffix} file: it is {what_en}. Save it from {app} as {suffix} "
            "(or share it with its real extension).",
            f"{name} 不是可读取的 {suffix} 文件:它是{what_zh}。请在 {app} 中另存为 {suffix}(或用它真正的扩展名分享)。",
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # a damaged archive: the reader's own refusal says so
    names = {member.filename for member in members}
    if expected.member not in names:
        other = next((f for f in (_WORD, _EXCEL, _POWERPOINT) if f.member in names), None)
        what_en = other.what_en if other else f"a ZIP archive without {expected.what_en}"
        what_zh = other.what_zh if other else f"不含 {expected.what_zh}的 ZIP 压缩包"
        raise DocumentRefused(
            f"{name} is not a readable {suffix} file: it is {what_en}. Save it from {app} as {suffix}.",
            f"{name} 不是可读取的 {suffix} 文件:它是{what_zh}。请在 {app} 中另存为 {suffix}。",
        )
    if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
        limit = MAX_UNPACKED_BYTES // 1024 // 1024
        raise DocumentRefused(
            f"{name} unpacks to more than {limit} MB, far more than any document holds. Save it again "
            f"from {app}, or split it.",
            f"{name} 解压后超过 {limit} MB,远超正常文档。请在 {app} 中重新保存,或拆分后再分享。",
        )


def _docx_sections(document: DocxDocument, stem: str) -> LoadedDocument:
    """Headings start sections; paragraphs and tables stay where they are in the document (a table
    under a heading belongs to that heading's section)."""
    from docx.table import Table

    from knowledge.docx_text import ListMarkers, bold_heading, shown_text, table_rows, text_box_paragraphs

    title = (document.core_properties.title or "").strip()
    sections: list[LoadedSection] = []
    heading, lines = "", []
    list_markers = ListMarkers(document)
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(table_rows(block))
            continue
        style = (block.style.name if block.style is not None else "").lower()
        words = shown_text(block).strip()
        boxes = text_box_paragraphs(block)
        if not words:
            lines.extend(boxes)
            continue
        if style == "title" and not title:
            title = words
            lines.extend(boxes)
            continue
        if style.startswith(("heading", "标题")) or bold_heading(block):
            if lines:
                sections.append(LoadedSection(heading or title or stem, as_paragraphs(lines)))
            heading, lines = words, list(boxes)
            continue
        lines.append(list_markers.marker(block) + words)
        lines.extend(boxes)
    if lines:
        sections.append(LoadedSection(heading or title or stem, as_paragraphs(lines)))
    return LoadedDocument(title or stem, tuple(sections))


def _pdf(name: str, stem: str, data: bytes) -> LoadedDocument:
    from pypdf import PdfReader

    if _PDF_MAGIC not in data[:PDF_HEADER_WINDOW]:
        kind = binary_format(data)
        if kind is not None:
            what_en, what_zh = f"it is {kind[0]}", f"它是{kind[1]}"
        elif data.lstrip()[:1] == b"<":
            what_en, what_zh = "it is a web page (HTML)", "它是网页(HTML)"
        else:
            what_en, what_zh = "it has no PDF header", "它没有 PDF 文件头"
        raise DocumentRefused(
            f"{name} is not a readable PDF: {what_en}. Export the document as PDF again, or share the "
            "original file.",
            f"{name} 不是可读取的 PDF:{what_zh}。请重新导出为 PDF,或分享原始文件。",
        )
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentRefused(
                f"{name} is encrypted. Remove the password and share it again.",
                f"{name} 已加密。请去掉密码后重新分享。",
            )
        pages = [(page.extract_text() or "") for page in reader.pages]
        metadata_title = str((reader.metadata or {}).get("/Title") or "").strip()
    except DocumentRefused:
        raise
    except Exception as error:  # a damaged PDF fails anywhere in pypdf, with any error type
        if "decrypt" in str(error).lower() or "encrypt" in str(error).lower():
            raise DocumentRefused(
                f"{name} is encrypted. Remove the password and share it again.",
                f"{name} 已加密。请去掉密码后重新分享。",
            ) from None
        raise DocumentRefused(f"{name} is not a readable PDF.", f"{name} 不是可读取的 PDF。") from None
    if not any(page.strip() for page in pages):
        raise DocumentRefused(
            f"{name} has no text layer (a scan?). Run OCR first or share the source document.",
            f"{name} 没有文字层(可能是扫描件)。请先做 OCR,或分享原始文档。",
        )
    pages = [reflowed(page) for page in without_running_lines(pages)]
    sections = tuple(
        LoadedSection(f"p. {number}", text) for number, text in enumerate(pages, start=1) if text.strip()
    )
    return LoadedDocument(metadata_title or stem, sections)
