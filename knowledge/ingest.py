"""Taking in the team's documents: files → sections → normalized chunks → the index, idempotently.

A file whose bytes did not change is skipped; a changed file replaces its old chunks in one commit;
a refused file leaves nothing behind. Chunk ids are `source#section:n@version`, so they are the same
on every machine for the same content.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from knowledge.documents import Chunk, content_hash
from knowledge.embedders import EmbeddingUnavailable
from knowledge.index import KnowledgeIndex, SourceRecord
from knowledge.loaders import MAX_DOCUMENT_BYTES, DocumentRefused, LoadedDocument, load_document, too_large
from knowledge.normalize import normalize_for_index, readable
from knowledge.text import CJK_CHARACTER, detect_language, split_sentences
from skills.errors import Lang, SkillError

DOCUMENT_PREFIX = "docs/"
CHUNK_TOKEN_BUDGET = 320
"""Estimated tokens per chunk: e5-small reads 512, and the title line and query prefix need room.
Chinese runs about one token per character, English about 1.3 per word."""
_LATIN_WORD = re.compile(r"[A-Za-z0-9]+")
_CJK_END = re.compile(r"(?:[\u3002\u3001\uff01\uff1f\uff1b\uff1a\uff0c]|[\u4e00-\u9fff][!?;])$")
"""Chinese sentence ends (including ! ? ; typed half-width after a character): the next sentence
follows without a space, as `split_sentences` found them; after Latin sentence ends, one space."""


def estimate_tokens(text: str) -> float:
    return len(CJK_CHARACTER.findall(text)) + 1.3 * len(_LATIN_WORD.findall(text))


def pack(text: str, budget: float = CHUNK_TOKEN_BUDGET) -> list[str]:
    """Split at paragraph ends, then at sentence ends (。!? and . ! ?), never inside a sentence
    unless a single sentence is itself over the budget. Lines stay lines; sentences of one line
    are joined as they were written (no space after Chinese punctuation)."""
    pieces: list[str] = []
    current = ""
    current_cost = 0.0

    def emit() -> None:
        nonlocal current, current_cost
        if current.strip():
            pieces.append(current.strip())
        current, current_cost = "", 0.0

    for paragraph in re.split(r"\n\s*\n", text):
        for line in paragraph.splitlines():
            for number, sentence in enumerate(split_sentences(line)):
                cost = estimate_tokens(sentence)
                if current and current_cost + cost > budget:
                    emit()
                while cost > budget * 1.5:  # a wall of text without sentence ends
                    cut = _cut_at(sentence, budget)
                    pieces.append(sentence[:cut])
                    sentence = sentence[cut:]
                    cost = estimate_tokens(sentence)
                if current:
                    current += ("\n" if number == 0 else "" if _CJK_END.search(current) else " ") + sentence
                else:
                    current = sentence
                current_cost += cost
        if current_cost > budget / 2:
            emit()
        elif current:
            current += "\n"
    emit()
    return pieces


def _cut_at(text: str, budget: float) -> int:
    """The character position where `text` reaches `budget` tokens."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high) // 2
        if estimate_tokens(text[:middle]) < budget:
            low = middle + 1
        else:
            high = middle
    return low


def document_chunks(source: str, document: LoadedDocument, version: str) -> list[Chunk]:
    """Chunks of a loaded document: `body` keeps the original text in its own script, without the
    boilerplate and pinyin annotations nobody wants quoted; `indexed_text` is normalized."""
    chunks: list[Chunk] = []
    for number, section in enumerate(document.sections, start=1):
        section_id = f"s{number}"
        heading = normalize_for_index(f"{document.title} › {section.title}")
        original = readable(section.text)
        for position, body in enumerate(pack(original)):
            indexed = normalize_for_index(body)
            if not indexed:
                continue
            chunks.append(
                Chunk(
                    id=f"{source}#{section_id}:{position}@{version[:8]}",
                    source=source,
                    doc_title=document.title,
                    section_id=section_id,
                    section_title=section.title,
                    lang=detect_language(indexed),
                    body=body,
                    key=f"{source}#{section_id}:{position}",
                    position=position,
                    source_hash=version,
                    url=document.url,
                    indexed_text=f"{heading}\n{indexed}",
                )
            )
    return chunks


@dataclass
class IngestReport:
    files: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[tuple[str, SkillError]] = field(default_factory=list)
    chunks_added: int = 0
    chunks_updated: int = 0
    """Chunks written for changed files (their old chunks are gone)."""
    chunks_skipped: int = 0
    """Chunks of unchanged files, left as they were."""
    duplicates: int = 0
    bytes: int = 0

    @property
    def chunks(self) -> int:
        """Chunks written."""
        return self.chunks_added + self.chunks_updated

    def as_json(self, lang: Lang = "en") -> dict[str, object]:
        return {
            "files": self.files,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "chunks": {
                "added": self.chunks_added,
                "updated": self.chunks_updated,
                "skipped": self.chunks_skipped,
            },
            "duplicates": self.duplicates,
            "refused": [{"file": name, "reason": reason.message(lang)} for name, reason in self.refused],
        }


def source_version(data: bytes, visibility: str = "") -> str:
    """The version of a source is its bytes plus who may see it: the same file learned again in
    another channel is a new version (new chunk ids), so the latest ingest sets the restriction,
    and processes sharing a Chroma server see the change as they see any other. Public documents
    keep the plain content hash they always had."""
    return content_hash(data if not visibility else data + b"\0visible-to:" + visibility.encode())


def ingest_bytes(
    index: KnowledgeIndex,
    source: str,
    name: str,
    data: bytes,
    report: IngestReport,
    url: str | None = None,
    visibility: str = "",
) -> None:
    """One file into the index (or into `report.refused`); unchanged content is skipped. `url` is
    the link for citations when the document names none (a Slack file's permalink). `visibility`:
    the private channel the document is restricted to, "" for every channel."""
    report.files += 1
    report.bytes += len(data)
    version = source_version(data, visibility)
    known = index.source_record(source)
    if known is not None and known.hash == version:
        report.unchanged.append(source)
        report.chunks_skipped += known.chunks
        return
    try:
        document = load_document(name, data)
        if document.url is None and url is not None:
            document = replace(document, url=url)
        chunks = document_chunks(source, document, version)
        if not chunks:
            raise DocumentRefused(f"{name} has no text to index.", f"{name} 没有可索引的文字。")
    except DocumentRefused as refusal:
        report.refused.append((name, refusal))
        return
    try:
        record: SourceRecord = index.replace_source(
            source, chunks, title=document.title, url=document.url, deduplicate=True, visibility=visibility
        )
    except EmbeddingUnavailable as error:
        report.refused.append(
            (name, DocumentRefused(f"{name}: {error}; try again later.", f"{name}:{error},请稍后再试。"))
        )
        return
    if known is not None:
        report.updated.append(source)
        report.chunks_updated += record.chunks
    else:
        report.added.append(source)
        report.chunks_added += record.chunks
    report.duplicates += record.duplicates


def source_name(file: Path, given: Path) -> str:
    """`docs/` + the file's path from the working directory when it lies inside it (so a file has
    one name however it was passed); else from the given folder's parent, or the file name."""
    try:
        relative = file.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        relative = file.relative_to(given.parent) if given.is_dir() else Path(file.name)
    return DOCUMENT_PREFIX + relative.as_posix()


def discover(paths: Iterable[Path]) -> Iterator[tuple[Path, str]]:
    """(file, source name) for each file given or found in a given folder, in a stable order."""
    for path in paths:
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")):
                yield file, source_name(file, path)
        else:
            yield path, source_name(path, path)


def ingest_paths(
    index: KnowledgeIndex,
    paths: Iterable[Path],
    progress: Callable[[Path], None] | None = None,
) -> IngestReport:
    return ingest_files(index, discover(paths), progress)


def ingest_files(
    index: KnowledgeIndex,
    files: Iterable[tuple[Path, str]],
    progress: Callable[[Path], None] | None = None,
    workspace: str = "",
) -> IngestReport:
    """(file, source name) pairs, as `discover` finds them, into the index. With a `workspace`
    (a team id), the documents are that workspace's own, named and restricted as
    bot.workspaces.ScopedKnowledge names them."""
    report = IngestReport()
    for file, source in files:
        if progress is not None:
            progress(file)
        try:
            data = read_capped(file)
        except OSError as error:
            report.refused.append(
                (str(file), DocumentRefused(f"{file}: {error.strerror}.", f"{file}:{error.strerror}。"))
            )
            continue
        except DocumentRefused as refusal:
            report.files += 1
            report.refused.append((file.name, refusal))
            continue
        if workspace:
            ingest_bytes(index, f"{workspace}/{source}", file.name, data, report, visibility=workspace)
        else:
            ingest_bytes(index, source, file.name, data, report)
    for names in (report.added, report.updated, report.unchanged):
        names[:] = [name.removeprefix(f"{workspace}/") if workspace else name for name in names]
    return report


def read_capped(file: Path) -> bytes:
    """The file's bytes, or DocumentRefused when it is over the limit: its size is checked before
    reading, and no more than the limit is ever read (a file can grow, or not say its size)."""
    size = file.stat().st_size
    if size > MAX_DOCUMENT_BYTES:
        raise too_large(file.name, size)
    with file.open("rb") as stream:
        data = stream.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise too_large(file.name, len(data))
    return data
