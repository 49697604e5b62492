"""The manifest of committed sources: which version of each source the index answers from.

Writing a source's chunks and committing it are separate steps, so a crash between them leaves
the old version in place. The embedded index keeps the manifest in a file beside its Chroma
directory (one process owns it); a shared Chroma server keeps it in a collection of that server
(`ServerManifest` in `knowledge.chroma_server`), where every process sees the same commits.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from knowledge.documents import Chunk

log = logging.getLogger(__name__)

MANIFEST = "sources.json"


@dataclass(frozen=True)
class SourceRecord:
    """What `opsbot sources` lists; the manifest of committed sources is the index's source of truth."""

    source: str
    hash: str
    title: str
    chunks: int
    indexed_at: float
    url: str | None = None
    duplicates: int = 0
    """Chunks that repeat text already indexed from another source (shown once in results)."""
    visibility: str = ""
    """"" when every channel may cite it; else the id of the private channel it was learned in.
    The chunks' metadata is the source of truth (a server manifest does not store it)."""


class Manifest(Protocol):
    """Where commits live. `shared`: other processes may commit too, so the index must refresh."""

    shared: bool

    def read(self, chunks: Iterable[Chunk]) -> dict[str, SourceRecord]:
        """The committed sources (`chunks`: what the catalog holds, for a manifest to rebuild from)."""
        ...

    def revision(self) -> str | None:
        """A token that changes with every commit elsewhere; None when nobody else commits."""
        ...

    def commit(self, manifest: dict[str, SourceRecord], record: SourceRecord) -> str | None:
        """Make `record` the committed version; returns the hash it replaced, if any."""
        ...

    def uncommit(self, manifest: dict[str, SourceRecord], source: str) -> str | None:
        """Drop `source` from the manifest; returns the hash that was committed, if any."""
        ...


class FileManifest:
    """`sources.json`, replaced atomically: the embedded index, owned by one process."""

    shared = False

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self, chunks: Iterable[Chunk]) -> dict[str, SourceRecord]:
        """The committed sources; an index made before the manifest existed commits what it holds."""
        try:
            records = json.loads(self.path.read_text(encoding="utf-8"))
            return {record["source"]: SourceRecord(**record) for record in records}
        except FileNotFoundError:
            pass
        except (ValueError, TypeError, KeyError):
            log.error("the index manifest %s is unreadable; rebuilding it from the chunks", self.path)
        manifest: dict[str, SourceRecord] = {}
        for chunk in chunks:
            known = manifest.get(chunk.source)
            count = known.chunks + 1 if known else 1
            manifest[chunk.source] = SourceRecord(
                chunk.source, chunk.source_hash, chunk.doc_title, count, time.time(), chunk.url
            )
        self._write(manifest)
        return manifest

    def revision(self) -> str | None:
        return None

    def commit(self, manifest: dict[str, SourceRecord], record: SourceRecord) -> str | None:
        self._write({**manifest, record.source: record})
        known = manifest.get(record.source)
        return known.hash if known else None

    def uncommit(self, manifest: dict[str, SourceRecord], source: str) -> str | None:
        known = manifest.get(source)
        if known is not None:
            self._write({name: r for name, r in manifest.items() if name != source})
        return known.hash if known else None

    def _write(self, manifest: dict[str, SourceRecord]) -> None:
        """Write to a temporary file, flush it to disk, then rename over the old one (atomic)."""
        partial = self.path.with_suffix(".json.partial")
        records = [asdict(record) for record in sorted(manifest.values(), key=lambda r: r.source)]
        with partial.open("w", encoding="utf-8") as handle:
            json.dump(records, handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, self.path)
