"""A Chroma server (`chroma run`) shared by several opsbot processes: connecting, and its manifest.

The embedded index keeps its manifest in a file that only its own process reads. On a server, the
manifest is a collection of that server (`sources`): one record per committed source, plus one
revision record that every commit rewrites with a new random token. Reading that one record is
how a process learns, cheaply, that another one committed something (see `KnowledgeIndex.refresh`).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

import chromadb
import httpx
from chromadb.api import ClientAPI
from chromadb.config import Settings as ChromaSettings

from knowledge.documents import Chunk
from knowledge.manifest import SourceRecord

log = logging.getLogger(__name__)

SOURCES_COLLECTION = "sources"
REVISION_ID = "@revision"
"""Not a source name: those start with `playbook/`, `docs/` or `slack/`."""
CONNECT_TIMEOUT_SECONDS = 10.0
"""For the start-up check only; Chroma's own client waits without a limit."""
_PLACEHOLDER = [0.0]
"""Chroma wants a vector or a document per record; manifest records need neither."""
_PAGE = 5000
_ERRNO = re.compile(r"^\[Errno -?\d+\]\s*")


class ChromaUnreachable(ConnectionError):
    """The Chroma server does not answer; the message is one line that says where and why."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"cannot reach {url} ({reason})")
        self.url = url
        self.reason = reason


def check_server(url: str) -> None:
    """Ask the server for its heartbeat, with a time limit, so a wrong URL fails at start."""
    base = url.rstrip("/")
    try:
        response = httpx.get(f"{base}/api/v2/heartbeat", timeout=CONNECT_TIMEOUT_SECONDS)
    except httpx.TimeoutException:
        raise ChromaUnreachable(url, f"no answer in {CONNECT_TIMEOUT_SECONDS:g} s") from None
    except httpx.HTTPError as error:
        raise ChromaUnreachable(url, _ERRNO.sub("", str(error)) or type(error).__name__) from None
    if response.status_code != 200:
        raise ChromaUnreachable(
            url, f"HTTP {response.status_code} from /api/v2/heartbeat; is it a Chroma 1.x server?"
        )


def connect(url: str) -> ClientAPI:
    """A client for the server at `url` (http or https, an optional path prefix), checked first.

    The whole URL is passed as the host, which Chroma accepts, so IPv6 literals and a proxy's path
    prefix survive; a URL without a port means the scheme's default, as everywhere else.
    """
    check_server(url)
    parts = urlsplit(url)
    ssl = parts.scheme == "https"
    try:
        return chromadb.HttpClient(
            host=url.rstrip("/"),
            port=parts.port or (443 if ssl else 80),
            ssl=ssl,
            settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False),
        )
    except ValueError as error:  # what Chroma raises when it cannot connect
        cause = error.__context__ or error
        raise ChromaUnreachable(url, _ERRNO.sub("", str(cause)) or type(cause).__name__) from None


class ServerManifest:
    """The committed sources as records of the server's `sources` collection, shared by all."""

    shared = True

    def __init__(self, client: ClientAPI) -> None:
        self._collection = client.get_or_create_collection(SOURCES_COLLECTION, embedding_function=None)

    def read(self, chunks: Iterable[Chunk] = ()) -> dict[str, SourceRecord]:
        """Every committed source. Nothing is rebuilt from chunks here: on a shared server, chunks
        without a commit may be another process's ingest in progress."""
        records: dict[str, SourceRecord] = {}
        offset = 0
        while True:
            page = self._collection.get(include=["metadatas"], limit=_PAGE, offset=offset)
            ids = page["ids"]
            for record_id, metadata in zip(ids, page["metadatas"] or [{}] * len(ids), strict=True):
                if record_id == REVISION_ID:
                    continue
                try:
                    records[record_id] = _record(record_id, metadata)
                except (KeyError, TypeError, ValueError):
                    log.error("skipping the unreadable manifest record %r", record_id)
            if len(ids) < _PAGE:
                return records
            offset += len(ids)

    def revision(self) -> str:
        page = self._collection.get(ids=[REVISION_ID], include=["metadatas"])
        metadatas = page["metadatas"] or []
        return str(metadatas[0].get("revision", "")) if page["ids"] and metadatas else ""

    def commit(self, manifest: Mapping[str, SourceRecord], record: SourceRecord) -> str | None:
        previous = self._hash(record.source)
        self._collection.upsert(
            ids=[record.source],
            embeddings=[_PLACEHOLDER],
            metadatas=[
                {
                    "hash": record.hash,
                    "title": record.title,
                    "chunks": record.chunks,
                    "indexed_at": record.indexed_at,
                    "url": record.url or "",
                    "duplicates": record.duplicates,
                }
            ],
        )
        self._bump()
        return previous

    def uncommit(self, manifest: Mapping[str, SourceRecord], source: str) -> str | None:
        previous = self._hash(source)
        if previous is not None:
            self._collection.delete(ids=[source])
            self._bump()
        return previous

    def _hash(self, source: str) -> str | None:
        """The committed version as the server has it now, whatever this process last read."""
        page = self._collection.get(ids=[source], include=["metadatas"])
        metadatas = page["metadatas"] or []
        return str(metadatas[0]["hash"]) if page["ids"] and metadatas else None

    def _bump(self) -> None:
        self._collection.upsert(
            ids=[REVISION_ID], embeddings=[_PLACEHOLDER], metadatas=[{"revision": uuid.uuid4().hex}]
        )


def _record(source: str, metadata: Mapping[str, object]) -> SourceRecord:
    return SourceRecord(
        source=source,
        hash=str(metadata["hash"]),
        title=str(metadata["title"]),
        chunks=int(str(metadata["chunks"])),
        indexed_at=float(str(metadata["indexed_at"])),
        url=str(metadata.get("url") or "") or None,
        duplicates=int(str(metadata.get("duplicates", 0))),
    )
