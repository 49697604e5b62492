"""Reading the team's documents: Markdown, plain text, HTML, DOCX and PDF, into titled sections.

Every way a file can be unusable (binary, encrypted, empty, too large, unknown encoding) is refused
with a reason in both languages before anything reaches the index.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING

from charset_normalizer import from_bytes

from skills.errors import SkillError

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
"""20 MB per file: far beyond any SOP or article; larger files are usually scans or exports."""
SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".text", ".html", ".htm", ".docx", ".pdf")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""Encrypted .docx files (and old .doc files) are OLE compound files, not zip archives."""
_MARKDOWN_HEADING = re.compile(r"^(#{1,4})\s+(.+?)\s*#*\s*$")
_URL_LINE = re.compile(
    r"^\s*(?:url|source|link|原文链接|原文地址|来源链接|链接)\s*[:\uff1a]\s*(https?://\S+)\s*$", re.I
)
_HEADING_MARK = "\x00H"
_SENTENCE_ENDINGS = (".", "!", "?", ":", "\u3002", "\uff01", "\uff1f", "\uff1a")
"""A first line ending like a sentence is text, not a title (。！？： and their Latin twins)."""


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
        limit = MAX_DOCUMENT_BYTES // 1024 // 1024
        raise DocumentRefused(
            f"{name} is {len(data) / 1e6:.1f} MB; the limit is {limit} MB per file. Split it first.",
            f"{name} 有 {len(data) / 1e6:.1f} MB,单个文件上限为 {limit} MB,请先拆分。",
        )
    if not data.strip():
        raise DocumentRefused(f"{name} is empty.", f"{name} 是空文件。")
    if suffix == ".docx":
        document = _docx(name, stem, data)
    elif suffix == ".pdf":
        document = _pdf(name, stem, data)
    else:
        text = decode_text(name, data)
        document = _html(stem, text) if suffix in (".html", ".htm") else _markdown(stem, text)
    sections = tuple(s for s in document.sections if s.text.strip())
    if not sections:
        raise DocumentRefused(f"{name} has no text to index.", f"{name} 没有可索引的文字。")
    return LoadedDocument(document.title, sections, document.url)


def decode_text(name: str, data: bytes) -> str:
    """UTF-8 (BOM or not) first; else the better of GB18030 and Big5 by charset detection."""
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


def _markdown(stem: str, text: str) -> LoadedDocument:
    """Markdown or plain text: headings (#…####) start sections; a `Source: URL` line gives the link."""
    title, url = "", None
    sections: list[LoadedSection] = []
    heading, lines = "", []

    def flush() -> None:
        body = "\n".join(lines).strip()
        if body:
            sections.append(LoadedSection(heading or title or stem, body))

    for line in text.splitlines():
        if match := _URL_LINE.match(line):
            url = url or match.group(1)
            continue
        if match := _MARKDOWN_HEADING.match(line):
            level, words = len(match.group(1)), match.group(2)
            if level == 1 and not title:
                title = words
                continue
            flush()
            heading, lines = words, []
            continue
        lines.append(line)
    flush()
    if not title:
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        if 0 < len(first) <= 40 and not first.endswith(_SENTENCE_ENDINGS):
            title = first  # a short first line without a sentence end is the title of a text file
            if sections and sections[0].text.startswith(first):
                rest = sections[0].text[len(first) :].strip()
                sections[0] = LoadedSection(first if sections[0].title == stem else sections[0].title, rest)
        else:
            title = stem
    return LoadedDocument(title, tuple(s for s in sections if s.text), url)


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
    for heading in soup.find_all(["h1", "h2", "h3", "h4"]):
        words = heading.get_text(" ", strip=True)
        heading.replace_with(f"\n{_HEADING_MARK}{heading.name[1]} {words}\n")
    for item in soup.find_all("li"):
        item.insert(0, "- ")
    for block in soup.find_all(list(_BLOCK_HTML)):
        block.insert_before("\n")
        block.insert_after("\n")
    body = soup.body or soup
    lines = [line.strip() for line in body.get_text("").splitlines() if line.strip()]
    markdown = "\n".join(
        f"{'#' * int(line[2])} {line[4:]}" if line.startswith(_HEADING_MARK) else line for line in lines
    )
    document = _markdown(stem, markdown)
    return LoadedDocument(title or document.title, document.sections, str(url) if url else None)


def _docx(name: str, stem: str, data: bytes) -> LoadedDocument:
    if data.startswith(_OLE_MAGIC):
        raise DocumentRefused(
            f"{name} is password-protected (or an old .doc file). Remove the password and save as .docx.",
            f"{name} 设有密码(或是旧的 .doc 格式)。请去掉密码并另存为 .docx。",
        )
    try:
        import docx

        return _docx_sections(docx.Document(io.BytesIO(data)), stem)
    except Exception:  # a broken archive fails anywhere in python-docx and lxml, with any error type
        raise DocumentRefused(
            f"{name} is not a readable .docx file.", f"{name} 不是可读取的 .docx 文件。"
        ) from None


def _docx_sections(document: DocxDocument, stem: str) -> LoadedDocument:
    title = (document.core_properties.title or "").strip()
    sections: list[LoadedSection] = []
    heading, lines = "", []
    for paragraph in document.paragraphs:
        style = (paragraph.style.name if paragraph.style is not None else "").lower()
        words = paragraph.text.strip()
        if not words:
            continue
        if style == "title" and not title:
            title = words
            continue
        if style.startswith(("heading", "标题")):
            if lines:
                sections.append(LoadedSection(heading or title or stem, "\n".join(lines)))
            heading, lines = words, []
            continue
        lines.append(words)
    for table in document.tables:
        for row in table.rows:
            cells = [cell.text.strip() for cell in row.cells if cell.text.strip()]
            if cells:
                lines.append(" | ".join(dict.fromkeys(cells)))
    if lines:
        sections.append(LoadedSection(heading or title or stem, "\n".join(lines)))
    return LoadedDocument(title or stem, tuple(sections))


def _pdf(name: str, stem: str, data: bytes) -> LoadedDocument:
    from pypdf import PdfReader

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
    sections = tuple(
        LoadedSection(f"p. {number}", text) for number, text in enumerate(pages, start=1) if text.strip()
    )
    return LoadedDocument(metadata_title or stem, sections)
