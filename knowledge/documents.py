"""Documents, sections and chunks: the units that are indexed and cited."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import PurePosixPath

from knowledge.text import Lang, split_sentences

PLAYBOOK_PREFIX = "playbook"
MAX_CHUNK_CHARS = 900
"""Fits both embedders' input window (e5-small: 512 tokens) with room for the title line."""

_HEADING = re.compile(r"^##\s+(?P<title>.+?)\s*\{#(?P<id>[a-z0-9][a-z0-9.\-]*)\}\s*$")
_TITLE = re.compile(r"^#\s+(?P<title>.+?)\s*$")


class DocumentFormatError(ValueError):
    """A shipped or ingested document does not follow the expected structure."""


@dataclass(frozen=True)
class Section:
    """One idea under one heading; `key` is shared by the translations of the same section."""

    source: str
    doc_title: str
    section_id: str
    title: str
    lang: Lang
    body: str
    key: str
    url: str | None = None


@dataclass(frozen=True)
class Chunk:
    """What the index stores. `text` is exactly what is embedded and matched lexically."""

    id: str
    source: str
    doc_title: str
    section_id: str
    section_title: str
    lang: Lang
    body: str
    key: str
    position: int
    source_hash: str
    url: str | None = None
    indexed_text: str | None = None
    """For ingested documents: the normalized text (Simplified script, no junk) that is indexed,
    while `body` keeps the original for display. None when the body is indexed as it is."""
    text: str = field(init=False)

    def __post_init__(self) -> None:
        text = self.indexed_text or f"{self.doc_title} › {self.section_title}\n{self.body}"
        object.__setattr__(self, "text", text)

    @property
    def from_playbook(self) -> bool:
        """Shipped with opsbot, rather than a team's document or Slack thread."""
        return self.source.startswith(f"{PLAYBOOK_PREFIX}/")


_HEADING_TOPIC = re.compile(r"^(\S.{0,23}?)\s*[:：]\s*\S")
"""A heading that names its topic before a colon: "Renewal: risks and negotiation", "续约：风险与谈判"."""


def heading_topic(title: str) -> str | None:
    """The topic a heading names before its colon ("Renewal" in "Renewal: risks and negotiation")."""
    match = _HEADING_TOPIC.match(title)
    return match.group(1) if match else None


def same_topic(chunk: Chunk, other: Chunk) -> bool:
    """Sibling sections: one document, headings naming the same topic before their colons."""
    topic = heading_topic(chunk.section_title)
    return topic is not None and chunk.source == other.source and topic == heading_topic(other.section_title)


def belongs_with(chunk: Chunk, other: Chunk) -> bool:
    """Another piece of the same section (a team document's long section is indexed in pieces of
    a few paragraphs), or a sibling section (`same_topic`): a question on one is often answered
    by both."""
    same_section = chunk.source == other.source and chunk.section_id == other.section_id
    return (same_section and chunk.position != other.position) or same_topic(chunk, other)


def content_hash(data: str | bytes) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()[:16]


def parse_sectioned_markdown(source: str, text: str, lang: Lang, key_prefix: str) -> list[Section]:
    """Parse `# Title` + `## Heading {#id}` markdown, the playbook's strict format."""
    doc_title = ""
    sections: list[Section] = []
    current: tuple[str, str] | None = None
    body: list[str] = []

    def flush() -> None:
        if current is None:
            return
        content = "\n".join(body).strip()
        if not content:
            raise DocumentFormatError(f"{source}: section {current[0]!r} is empty")
        section_id, title = current
        sections.append(
            Section(source, doc_title, section_id, title, lang, content, f"{key_prefix}{section_id}")
        )

    for line_number, line in enumerate(text.splitlines(), start=1):
        if heading := _HEADING.match(line):
            flush()
            current = (heading["id"], heading["title"])
            body = []
        elif line.startswith("## "):
            raise DocumentFormatError(f"{source}:{line_number}: heading without an {{#id}}")
        elif (title := _TITLE.match(line)) and not doc_title:
            doc_title = title["title"]
        elif current is not None:
            body.append(line)
    flush()
    if not doc_title or not sections:
        raise DocumentFormatError(f"{source}: needs a '# Title' and at least one '## Section {{#id}}'")
    return sections


def load_playbook() -> list[Section]:
    """The shipped playbook, both languages; the same section id links a section to its translation."""
    root = resources.files("knowledge").joinpath("playbook")
    sections: list[Section] = []
    for lang_dir in sorted(root.iterdir(), key=lambda entry: entry.name):
        if not lang_dir.is_dir() or lang_dir.name not in ("en", "zh"):
            continue
        for entry in sorted(lang_dir.iterdir(), key=lambda entry: entry.name):
            if not entry.name.endswith(".md"):
                continue
            source = str(PurePosixPath(PLAYBOOK_PREFIX, lang_dir.name, entry.name))
            text = entry.read_text(encoding="utf-8")
            lang: Lang = "zh" if lang_dir.name == "zh" else "en"
            sections.extend(parse_sectioned_markdown(source, text, lang, key_prefix="playbook:"))
    return sections


def chunk_sections(sections: list[Section], source_hash: str) -> list[Chunk]:
    """Split sections into chunks at sentence ends; ids are `source#section:n`, stable across runs."""
    chunks: list[Chunk] = []
    for section in sections:
        for position, body in enumerate(_pack_sentences(section.body)):
            chunks.append(
                Chunk(
                    id=f"{section.source}#{section.section_id}:{position}",
                    source=section.source,
                    doc_title=section.doc_title,
                    section_id=section.section_id,
                    section_title=section.title,
                    lang=section.lang,
                    body=body,
                    key=section.key if position == 0 else f"{section.key}:{position}",
                    position=position,
                    source_hash=source_hash,
                    url=section.url,
                )
            )
    return chunks


def _pack_sentences(body: str) -> list[str]:
    if len(body) <= MAX_CHUNK_CHARS:
        return [body]
    pieces: list[str] = []
    current = ""
    for paragraph in body.split("\n"):
        for sentence in split_sentences(paragraph) or [""]:
            candidate = f"{current}\n{sentence}" if current else sentence
            if current and len(candidate) > MAX_CHUNK_CHARS:
                pieces.append(current)
                current = sentence
            else:
                current = candidate
    if current:
        pieces.append(current)
    return pieces
