"""The searchable index: its storage and sync (Chroma I/O, the manifest, refresh between processes,
orphan cleanup) and the search that fuses its rankings (the ranking rules: `knowledge.ranking`;
who may see what: `knowledge.visibility`).

Everything a search needs is in Chroma or rebuilt from it: the chunks' text and metadata (the
catalog), their BM25 tokens, the duplicate keys and the vectors. Only the manifest of committed
sources lives elsewhere in embedded mode (`sources.json`, next to the Chroma directory).

With a Chroma server (`chroma_url`), several processes share one index, and the manifest is a
collection of that server (`knowledge.chroma_server`). Each process keeps its in-memory view (the
chunks, BM25, near-duplicate detector) and catches up before it answers: `refresh()` runs before
every search and every read of the sources, reads the manifest's revision record (one small
request) and, only when it changed, reloads the sources whose committed version changed and
drops the removed ones. So a document committed by process A is found by process B's next search,
without a timer and without re-reading the whole collection. Chunks nobody committed may be
another process's ingest in progress: they are ignored, and removed at open only once they are
older than `ORPHAN_GRACE_SECONDS`.

Visibility: a source learned in a private channel is restricted to it. Each of its chunks carries
`visibility` (the channel id; "" or absent: public) in the catalog's metadata, and `search(...,
visible_to=channel)` keeps every ranking (dense, BM25, the translation/duplicate collapsing and the
coverage) to public chunks plus that channel's, so a private passage can neither be shown nor push
out or stand in for a visible one. With several workspaces a restriction is a path
(`knowledge.visibility.visible_scopes`): "T1" is workspace T1's, "T1:C2" its channel C2's; a reader at "T1:C2" sees
public chunks, T1's and C2's, and nothing of another workspace. The restriction is part of the source's version (see
`knowledge.ingest.source_version`): learning it again elsewhere is a new version, which other
processes sharing a server pick up like any other change.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

import chromadb
import numpy as np
from chromadb.api.models.Collection import Collection
from chromadb.api.types import GetResult, Include
from chromadb.config import Settings as ChromaSettings

from knowledge.chroma_server import ServerManifest, connect
from knowledge.documents import Chunk, Section, chunk_sections, content_hash, load_playbook
from knowledge.embedders import Embedder, EmbeddingUnavailable, Vectors, leading_part
from knowledge.identifiers import holds, identifiers
from knowledge.lead_vectors import LeadVectors, merged
from knowledge.lexical import BM25Index
from knowledge.manifest import MANIFEST, FileManifest, Manifest, SourceRecord
from knowledge.near_duplicates import CONTAINED, NearDuplicates, codes, containment, shingles
from knowledge.normalize import normalize_query
from knowledge.playbook_vectors import shipped_vectors, text_digest
from knowledge.ranking import (
    FusionConfig,
    Hit,
    Ranking,
    best_per_key,
    fused_order,
    lift_other_languages,
    with_stand_in,
)
from knowledge.spelling import Correction, Vocabulary, homophones
from knowledge.text import Lang, detect_language, tokenize
from knowledge.visibility import is_visible, restriction_of, visible_scopes, with_visibility

log = logging.getLogger(__name__)

_WRITE_BATCH = 256
_READ_PAGE = 5000
"""Chroma's SQLite refuses one query over ~32k ids ("too many SQL variables"): read in pages."""
ORPHAN_GRACE_SECONDS = 3600.0
"""On a shared server, uncommitted chunks younger than this may be an ingest still running in
another process; older ones are a crashed ingest's leftovers."""
_DENSE_SEARCHES = ThreadPoolExecutor(max_workers=4, thread_name_prefix="opsbot-dense")
"""Where a search's embedders rank side by side (`KnowledgeIndex._dense_rankings`). A task never
waits on another, so a busy pool only delays a search."""

__all__ = ["MANIFEST", "KnowledgeIndex", "SourceRecord", "SyncReport"]


@dataclass(frozen=True)
class SyncReport:
    added: int
    updated: int
    removed: int
    unchanged: int


class IndexProgress(Protocol):
    """Told about a long indexing run, to show a person how far it is (the index never prints)."""

    def start(self, total: int) -> None:
        """`total` sections are about to be embedded."""

    def advance(self, source: str, sections: int) -> None:
        """`source` is indexed: `sections` more done."""

    def close(self) -> None: ...


def catalog_position(embedders: Sequence[Embedder]) -> int:
    """Which embedder's collection holds the catalog: the first fast one, since the catalog is
    written at every commit (else the first)."""
    return next((n for n, embedder in enumerate(embedders) if embedder.kind == "fast"), 0)


class KnowledgeIndex:
    """One Chroma collection per embedder plus a BM25 index rebuilt at open.

    The first fast embedder's collection is the catalog (text and metadata, see
    `catalog_position`); the others hold vectors only and are reconciled with it at open, so adding
    an embedder heals itself. A source is
    committed by the manifest (`sources.json`, replaced atomically, or the server's `sources`
    collection): chunks of an uncommitted version are removed at open, so a crash in the middle of
    an ingest leaves the index as it was before.

    `chroma_url` keeps the collections in that Chroma server instead of under `directory`, and
    raises `ChromaUnreachable` when it does not answer. Embeddings are always computed here:
    collections have no embedding function, so Chroma never loads a model of its own.
    """

    def __init__(
        self,
        directory: Path | None,
        embedders: Embedder | Sequence[Embedder],
        fusion: FusionConfig | None = None,
        chroma_url: str | None = None,
        defer_slow: bool = False,
    ) -> None:
        self.embedders: list[Embedder] = list(embedders) if isinstance(embedders, Sequence) else [embedders]
        if not self.embedders:
            raise ValueError("at least one embedder is needed")
        self.fusion = fusion or FusionConfig()
        self._manifests: Manifest
        if chroma_url is not None:
            self._client = connect(chroma_url)
            self._manifests = ServerManifest(self._client)
        elif directory is not None:
            directory.mkdir(parents=True, exist_ok=True)
            self._client = chromadb.PersistentClient(
                path=str(directory),
                settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False),
            )
            self._manifests = FileManifest(directory / MANIFEST)
        else:
            raise ValueError("a directory or a Chroma server URL is needed")
        self._shared = self._manifests.shared
        self._collections = [
            self._client.get_or_create_collection(
                name=f"chunks-{embedder.name}", metadata={"hnsw:space": "cosine"}, embedding_function=None
            )
            for embedder in self.embedders
        ]
        self._catalog_at = catalog_position(self.embedders)
        self._catalog = self._collections[self._catalog_at]
        self.defer_slow = defer_slow
        """Commit without the slow embedders' vectors; `fill_pending` computes them afterwards."""
        self._pending: dict[int, set[str]] = {
            position: set()
            for position, embedder in enumerate(self.embedders)
            if embedder.kind == "slow" and position != self._catalog_at
        }
        """Embedder position → committed chunks that still lack its vector (a slow embedder's)."""
        self._leads = {position: LeadVectors() for position in self._pending}
        """Embedder position → the vectors of the first tokens of long passages among those still
        lacking its vector, which rank them until the full vector is in (see `fill_pending`)."""
        self._lead_collections = {
            position: self._client.get_or_create_collection(
                name=f"leads-{self.embedders[position].name}",
                metadata={"hnsw:space": "cosine"},
                embedding_function=None,
            )
            for position in self._pending
        }
        """Where those lead vectors are kept, so a restart or another process sharing the server
        ranks by them too instead of reading the passages again."""
        self.last_search = 0.0
        """time.monotonic() of the latest search, so background work can wait for a quiet moment."""
        self._write_lock = threading.Lock()
        self._state_lock = threading.RLock()
        """Guards the in-memory state below: searches read it while an ingest updates it."""
        self._sync_lock = threading.RLock()
        """Orders this process's commits with its refreshes, so neither undoes the other."""
        self._revision: str | None = None
        """The shared manifest's revision this process's view matches."""
        self._manifest: dict[str, SourceRecord] = {}
        self._chunks: dict[str, Chunk] = {}
        self._restricted: dict[str, str] = {}
        """Chunk id → the channel it is restricted to; public chunks are not listed."""
        self._by_key: dict[str, dict[Lang, list[str]]] = defaultdict(lambda: defaultdict(list))
        self._lexical = BM25Index()
        self._spelling = Vocabulary()
        self._near: NearDuplicates | None = None
        self._load()

    def __len__(self) -> int:
        self.refresh()
        return len(self._chunks)

    # -- loading and writing -------------------------------------------------------------------

    def _vector_collections(self) -> Iterator[tuple[int, Embedder, Collection]]:
        """The embedders other than the catalog's, with their positions and collections."""
        for position, (embedder, collection) in enumerate(
            zip(self.embedders, self._collections, strict=True)
        ):
            if position != self._catalog_at:
                yield position, embedder, collection

    def _load(self) -> None:
        if self._shared:
            # Revision, then manifest, then chunks: a commit is written after its chunks, so every
            # version this manifest names is in the catalog read below, and a commit made while
            # reading changes the revision, so the next refresh catches it.
            self._revision = self._manifests.revision()
            self._manifest = self._manifests.read(())
        records = list(_all_records(self._catalog, include_metadata=True))
        if (not records or any("body" not in metadata for _, metadata in records)) and self._adopt_catalog(
            records
        ):
            records = list(_all_records(self._catalog, include_metadata=True))
        strays = [cid for cid, metadata in records if "body" not in metadata and self._expired(metadata)]
        if strays:  # vectors of chunks the catalog never held (a crashed ingest of the old layout)
            self._delete(strays)
        records = [(cid, metadata) for cid, metadata in records if "body" in metadata]
        loaded = [
            (_chunk_from_metadata(chunk_id, metadata), str(metadata.get("tokens", "")).split())
            for chunk_id, metadata in records
        ]
        visibility = {chunk_id: restriction_of(metadata) for chunk_id, metadata in records}
        if not self._shared:
            self._manifest = self._manifests.read(chunk for chunk, _ in loaded)
        uncommitted = {
            chunk.id
            for chunk, _ in loaded
            if (record := self._manifest.get(chunk.source)) is None or record.hash != chunk.source_hash
        }
        leftovers = [cid for cid, metadata in records if cid in uncommitted and self._expired(metadata)]
        if leftovers:
            log.warning("removing %d chunks of an ingest that did not finish", len(leftovers))
            self._delete(leftovers)
        for chunk, tokens in loaded:
            if chunk.id not in uncommitted:
                self._remember(chunk, tokens, visibility[chunk.id])
        for position, embedder, collection in self._vector_collections():
            present = dict(_all_records(collection, include_metadata=self._shared))
            extra = [
                cid
                for cid, metadata in present.items()
                if cid not in self._chunks and self._expired(metadata)
            ]
            _delete_ids(collection, extra)
            missing = [chunk for chunk_id, chunk in self._chunks.items() if chunk_id not in present]
            if position in self._pending:  # a slow model: its vectors follow, see `fill_pending`
                self._pending[position] = {chunk.id for chunk in missing}
                if missing:
                    log.info("%d chunks still lack %s vectors", len(missing), embedder.name)
                self._load_leads(position)
            elif missing:
                log.info("adding %d chunks to the %s vectors", len(missing), embedder.name)
                try:
                    self._write_vectors(embedder, collection, missing)
                except EmbeddingUnavailable as error:
                    log.warning("%s vectors incomplete (%s); retried at the next start", embedder.name, error)

    def _load_leads(self, position: int) -> None:
        """The stored lead vectors of the passages still owed the embedder's vector; those of
        passages no longer owed one (their full vector is in, or they are gone) are deleted."""
        collection, owed = self._lead_collections[position], self._pending[position]
        kept: dict[str, Vectors] = {}
        spent: list[str] = []
        for chunk_id, metadata, vector in _all_vectors(collection):
            if chunk_id in owed:
                kept[chunk_id] = vector
            elif self._expired(metadata):
                spent.append(chunk_id)
        _delete_ids(collection, spent)
        if kept:
            self._leads[position].add(kept)
            log.info("%d of them are ranked by the vectors of their first words meanwhile", len(kept))

    def _stored_leads(self, position: int, chunk_ids: Sequence[str]) -> dict[str, Vectors]:
        """The lead vectors stored for these chunks: another process's first pass, on a shared server."""
        collection = self._lead_collections[position]
        found: dict[str, Vectors] = {}
        for start in range(0, len(chunk_ids), _READ_PAGE):
            page = collection.get(ids=list(chunk_ids[start : start + _READ_PAGE]), include=["embeddings"])
            if page["embeddings"] is not None:
                for chunk_id, vector in zip(page["ids"], page["embeddings"], strict=True):
                    found[chunk_id] = np.asarray(vector, dtype=np.float32)
        return found

    def _adopt_catalog(self, records: list[tuple[str, dict]]) -> bool:  # type: ignore[type-arg]
        """Copy the catalog from another collection into this one's, once: an index written
        before the catalog moved to the fast embedder's collection (or with other embedders) holds
        the text and metadata elsewhere. Returns whether anything was copied."""
        present = {chunk_id for chunk_id, metadata in records if "body" in metadata}
        for _, _, collection in self._vector_collections():
            if collection.name == self._catalog.name or not collection.count():
                continue
            first = collection.get(limit=1, include=["metadatas"])["metadatas"] or [{}]
            if "body" not in first[0]:
                continue
            old = [(cid, metadata) for cid, metadata in _all_records(collection, True) if "body" in metadata]
            copy = [(cid, metadata) for cid, metadata in old if cid not in present]
            log.info("moving the catalog of %d chunks into %s", len(copy), self._catalog.name)
            vectors = {cid for cid, _ in _all_records(self._catalog, include_metadata=False)}
            for start in range(0, len(copy), _WRITE_BATCH):
                batch = [
                    (_chunk_from_metadata(cid, metadata), metadata)
                    for cid, metadata in copy[start : start + _WRITE_BATCH]
                ]
                moved = [(chunk, metadata) for chunk, metadata in batch if chunk.id in vectors]
                if moved:  # the vector is there already: add the metadata, which holds the text
                    # (documents are left out: Chroma would embed them again with a model of its own)
                    self._catalog.update(
                        ids=[chunk.id for chunk, _ in moved], metadatas=[metadata for _, metadata in moved]
                    )
                fresh = [(chunk, metadata) for chunk, metadata in batch if chunk.id not in vectors]
                if fresh:
                    embedded = self.embedders[self._catalog_at].embed_passages(
                        [chunk.text for chunk, _ in fresh]
                    )
                    self._catalog.upsert(
                        ids=[chunk.id for chunk, _ in fresh],
                        embeddings=embedded.tolist(),
                        documents=[chunk.text for chunk, _ in fresh],
                        metadatas=[metadata for _, metadata in fresh],
                    )
            return bool(copy)
        return False

    def _expired(self, metadata: Mapping[str, object]) -> bool:
        """May an uncommitted record be deleted? Always in embedded mode (this process owns the
        index); on a shared server only once it is too old to be an ingest still running."""
        if not self._shared:
            return True
        written = metadata.get("written_at")
        return not isinstance(written, int | float) or written < time.time() - ORPHAN_GRACE_SECONDS

    def _write_vectors(
        self,
        embedder: Embedder,
        collection: Collection,
        chunks: Sequence[Chunk],
        reuse: Mapping[str, str] | None = None,
    ) -> None:
        for start in range(0, len(chunks), _WRITE_BATCH):
            batch = chunks[start : start + _WRITE_BATCH]
            _upsert_vectors(collection, batch, self._vectors(embedder, collection, batch, reuse or {}))

    def _vectors(
        self, embedder: Embedder, collection: Collection, chunks: Sequence[Chunk], reuse: Mapping[str, str]
    ) -> Vectors:
        """The chunks' vectors: a text the source already had keeps its stored vector, and a text
        of the shipped playbook takes its shipped one (see `_known`), so only new text is embedded."""
        known = self._known(embedder, collection, chunks, reuse)
        fresh = [chunk.text for chunk in chunks if chunk.id not in known]
        computed = iter(embedder.embed_passages(fresh)) if fresh else iter(())
        rows = [known[chunk.id] if chunk.id in known else next(computed) for chunk in chunks]
        return np.vstack(rows) if rows else np.zeros((0, embedder.dimension), dtype=np.float32)

    def _known(
        self, embedder: Embedder, collection: Collection, chunks: Sequence[Chunk], reuse: Mapping[str, str]
    ) -> dict[str, Vectors]:
        """Chunk id → a vector that needs no embedding: the one stored for the same text in the
        source's previous version (`reuse`: text → that chunk's id; editing a long document embeds
        only the passages that changed), else the one shipped with the playbook for this text."""
        stored = self._stored(collection, chunks, reuse)
        shipped = shipped_vectors(embedder.name)
        known: dict[str, Vectors] = {}
        for chunk in chunks:
            if reuse.get(chunk.text) in stored:
                known[chunk.id] = np.asarray(stored[reuse[chunk.text]], dtype=np.float32)
            elif shipped and (vector := shipped.get(text_digest(chunk.text))) is not None:
                known[chunk.id] = vector
        return known

    @staticmethod
    def _stored(
        collection: Collection, chunks: Sequence[Chunk], reuse: Mapping[str, str]
    ) -> dict[str, Sequence[float]]:
        """The vectors `collection` holds for the texts the source already had (`reuse`: text →
        that chunk's id), by that old id."""
        old_ids = [reuse[chunk.text] for chunk in chunks if chunk.text in reuse]
        if not old_ids:
            return {}
        found = collection.get(ids=old_ids, include=["embeddings"])
        if found["embeddings"] is None:
            return {}
        return dict(zip(found["ids"], found["embeddings"], strict=True))

    def _carry_over(
        self, embedder: Embedder, collection: Collection, chunks: Sequence[Chunk], reuse: Mapping[str, str]
    ) -> list[str]:
        """Write the vectors that need no embedding (see `_known`); returns the ids of the other
        chunks, whose vectors are left for `fill_pending`."""
        known = self._known(embedder, collection, chunks, reuse)
        kept = [chunk for chunk in chunks if chunk.id in known]
        for start in range(0, len(kept), _WRITE_BATCH):
            batch = kept[start : start + _WRITE_BATCH]
            _upsert_vectors(collection, batch, [known[chunk.id] for chunk in batch])
        return [chunk.id for chunk in chunks if chunk.id not in known]

    @property
    def pending(self) -> int:
        """Vectors the slow embedders still owe committed chunks (see `defer_slow`)."""
        with self._state_lock:
            return sum(len(lacking) for lacking in self._pending.values())

    @property
    def pending_unread(self) -> int:
        """Owed vectors of passages that have no lead vector either (see `fill_pending`): 0 once a
        first pass is done."""
        with self._state_lock:
            return sum(len(self._unread(position)) for position in self._pending)

    def _unread(self, position: int) -> set[str]:
        """The chunks owed the embedder's vector that have no lead vector either: they rank in its
        place by the stand-in, and a first pass reads them next. The caller holds the state lock."""
        leads = self._leads[position]
        return {chunk_id for chunk_id in self._pending[position] if chunk_id not in leads}

    def fill_pending(self, limit: int = 8, leads_first: bool = False) -> int:
        """Compute up to `limit` of the vectors a slow embedder still owes; returns how many
        passages were embedded (0: none owed). Until then those chunks rank in that embedder's place
        where the catalog's embedder ranks them (see `_search`).

        `leads_first`: a first pass gives each long passage a vector of its first tokens, which
        ranks it nearly as well at a third of the cost (see `knowledge.lead_vectors`), and a short
        one its full vector; the full vectors of long passages follow. For a process that answers
        questions meanwhile; one that only waits for the vectors saves the first pass.

        A random few are taken each time, and on a shared server those another process wrote
        meanwhile are skipped, so two processes filling at once seldom do the same work twice."""
        with self._write_lock:  # an ingest does not remove chunks while their vectors are written
            with self._state_lock:
                position = next((p for p, lacking in self._pending.items() if lacking), None)
                if position is None:
                    return 0
                lacking, leads = self._pending[position], self._leads[position]
                leadless = sorted(self._unread(position)) if leads_first else []
                taken = random.sample(leadless or sorted(lacking), min(limit, len(leadless or lacking)))
                chunks = [self._chunks[chunk_id] for chunk_id in taken if chunk_id in self._chunks]
            embedder, collection = self.embedders[position], self._collections[position]
            if self._shared:
                written = set(collection.get(ids=[chunk.id for chunk in chunks], include=[])["ids"])
                chunks = [chunk for chunk in chunks if chunk.id not in written]
            # On a shared server another process's first pass may have read some leads already.
            stored = (
                self._stored_leads(position, [chunk.id for chunk in chunks])
                if leadless and self._shared
                else {}
            )
            parts = {
                chunk.id: part
                for chunk in chunks
                if leadless and chunk.id not in stored and (part := leading_part(embedder, chunk.text))
            }
            whole = [chunk for chunk in chunks if chunk.id not in parts and chunk.id not in stored]
            lead_store = self._lead_collections[position]
            if whole:
                self._write_vectors(embedder, collection, whole)
                spent = [chunk.id for chunk in whole if chunk.id in leads or self._shared]
                _delete_ids(lead_store, spent)  # after the full vector: a crash between leaves a
                # lead that `_load_leads` drops
            read = [chunk for chunk in chunks if chunk.id in parts]
            if read:
                lead_vectors = embedder.embed_passages([parts[chunk.id] for chunk in read])
                _upsert_vectors(lead_store, read, lead_vectors)
                stored.update(zip([chunk.id for chunk in read], lead_vectors, strict=True))
            with self._state_lock:
                done = set(taken).difference(stored)
                self._pending[position].difference_update(done)
                leads.discard(done)
                leads.add({cid: vector for cid, vector in stored.items() if cid in self._pending[position]})
            return len(taken)

    def _note_lacking(self, chunk_ids: Sequence[str]) -> None:
        """Another process's commit: which of its chunks still lack a slow embedder's vector."""
        for position, lacking in self._pending.items():
            collection = self._collections[position]
            written: set[str] = set()
            for start in range(0, len(chunk_ids), _READ_PAGE):
                written.update(
                    collection.get(ids=list(chunk_ids[start : start + _READ_PAGE]), include=[])["ids"]
                )
            with self._state_lock:
                owed = [cid for cid in chunk_ids if cid not in written and cid in self._chunks]
                lacking.update(owed)
            stored = self._stored_leads(position, owed)
            with self._state_lock:
                self._leads[position].add({cid: vector for cid, vector in stored.items() if cid in lacking})

    def refresh(self) -> None:
        """Catch up with the commits of other processes sharing the server (a no-op in embedded
        mode). One small read when nothing changed; otherwise only changed sources are reloaded."""
        if not self._shared:
            return
        with self._sync_lock:
            revision = self._manifests.revision()
            if revision == self._revision:
                return
            committed = self._manifests.read(())
            with self._state_lock:
                known = dict(self._manifest)
            changed = {
                source: record
                for source, record in committed.items()
                if (old := known.get(source)) is None or old.hash != record.hash
            }
            gone = known.keys() - committed.keys()
            fresh = [self._fetch_version(source, record.hash) for source, record in changed.items()]
            with self._state_lock:
                outdated = gone | changed.keys()
                for chunk_id in [cid for cid, chunk in self._chunks.items() if chunk.source in outdated]:
                    self._forget(chunk_id)
                for version in fresh:
                    for chunk, tokens, visible in version:
                        self._remember(chunk, tokens, visible)
                self._manifest = committed
            self._revision = revision
            if self._pending and fresh:
                self._note_lacking([chunk.id for version in fresh for chunk, _, _ in version])
            if changed or gone:
                log.info("index refreshed: %d sources changed, %d removed elsewhere", len(changed), len(gone))

    def _fetch_version(self, source: str, version: str) -> list[tuple[Chunk, list[str], str]]:
        """One committed version of a source, from the catalog: chunk, BM25 tokens, visibility."""
        where = {"$and": [{"source": source}, {"source_hash": version}]}
        return [
            (
                _chunk_from_metadata(chunk_id, metadata),
                str(metadata.get("tokens", "")).split(),
                restriction_of(metadata),
            )
            for chunk_id, metadata in _all_records(self._catalog, include_metadata=True, where=where)
        ]

    def _version_ids(self, source: str, version: str | None, keep: set[str]) -> list[str]:
        """Ids of one version of a source as the server holds them, except `keep`."""
        if version is None:
            return []
        where = {"$and": [{"source": source}, {"source_hash": version}]}
        records = _all_records(self._catalog, include_metadata=False, where=where)
        return [chunk_id for chunk_id, _ in records if chunk_id not in keep]

    def _remember(self, chunk: Chunk, tokens: list[str], visibility: str = "") -> None:
        self._chunks[chunk.id] = chunk
        if visibility:
            self._restricted[chunk.id] = visibility
        else:
            self._restricted.pop(chunk.id, None)
        variants = self._by_key[chunk.key][chunk.lang]
        if chunk.id not in variants:
            variants.append(chunk.id)
        self._lexical.add(chunk.id, tokens)
        self._spelling.add(chunk.text)
        if self._near is not None and chunk.indexed_text is not None:
            self._near.add(chunk.id, chunk.key, chunk.text)

    def _forget(self, chunk_id: str) -> None:
        chunk = self._chunks.pop(chunk_id, None)
        self._restricted.pop(chunk_id, None)
        for lacking in self._pending.values():
            lacking.discard(chunk_id)
        for leads in self._leads.values():
            leads.discard([chunk_id])
        if chunk is None:
            return
        twins = self._by_key.get(chunk.key)
        if twins is not None and chunk_id in twins.get(chunk.lang, []):
            twins[chunk.lang].remove(chunk_id)
            if not twins[chunk.lang]:
                del twins[chunk.lang]
            if not twins:
                del self._by_key[chunk.key]
        self._lexical.remove(chunk_id)
        self._spelling.remove(chunk.text)
        if self._near is not None:
            self._near.remove(chunk_id)

    def sources(self) -> dict[str, str]:
        """Each committed source with its content hash."""
        self.refresh()
        return {source: record.hash for source, record in self._manifest.items()}

    def source_record(self, source: str) -> SourceRecord | None:
        self.refresh()
        with self._state_lock:
            record = self._manifest.get(source)
            return None if record is None else with_visibility(record, self._source_visibility())

    def source_records(self) -> list[SourceRecord]:
        """Every committed source, with its restriction (`visibility`); callers filter by channel."""
        self.refresh()
        with self._state_lock:
            restricted = self._source_visibility()
            records = [with_visibility(record, restricted) for record in self._manifest.values()]
        return sorted(records, key=lambda record: record.source)

    def _source_visibility(self) -> dict[str, str]:
        """Source → channel, from the chunks: they are the truth in both manifest kinds."""
        return {self._chunks[cid].source: channel for cid, channel in self._restricted.items()}

    def has_documents_in(self, lang: Lang, visible_to: str | None = None) -> bool:
        """Whether a team document (not the shipped playbook, which is written in both languages)
        that `visible_to` may read has passages in `lang`: only then can a question be worth
        asking again in that language."""
        self.refresh()
        with self._state_lock:
            return any(
                chunk.lang == lang and not chunk.from_playbook and self._visible(chunk_id, visible_to)
                for chunk_id, chunk in self._chunks.items()
            )

    def _visible(self, chunk_id: str, visible_to: str | None) -> bool:
        return is_visible(self._restricted.get(chunk_id), visible_to)

    def _key_of(self, chunk_id: str) -> str:
        return self._chunks[chunk_id].key

    def _lang_of(self, chunk_id: str) -> Lang:
        return self._chunks[chunk_id].lang

    def _near_duplicates(self) -> NearDuplicates:
        """Built on first use (an ingest), from the indexed documents' passages."""
        if self._near is None:
            near = NearDuplicates()
            for chunk in self._chunks.values():
                if chunk.indexed_text is not None:
                    near.add(chunk.id, chunk.key, chunk.text)
            self._near = near
        return self._near

    def _share_keys_with_duplicates(
        self, source: str, chunks: Sequence[Chunk], visibility: str = ""
    ) -> tuple[list[Chunk], int]:
        """A chunk that is the same passage as an indexed one of another source (or an earlier chunk
        of this one) takes its key, so results show it once; returns the chunks and how many of them
        repeat indexed text (search also drops repeats cut at other places, see `_search`). Only
        chunks visible where the new source is are compared, so the report of a public ingest says
        nothing about private documents."""
        near = self._near_duplicates()
        batch = NearDuplicates()
        result, repeats = [], 0
        for chunk in chunks:
            indexed = [
                match
                for match in near.matches(chunk.text, exclude_prefix=f"{source}#")
                if self._restricted.get(match.chunk_id, "") in {"", *visible_scopes(visibility)}
            ]
            found = indexed + batch.matches(chunk.text)
            if found:
                repeats += 1
                same = next((match for match in found if match.same_passage), None)
                if same is not None:
                    chunk = replace(chunk, key=same.key)
            batch.add(chunk.id, chunk.key, chunk.text)
            result.append(chunk)
        return result, repeats

    def replace_source(
        self,
        source: str,
        chunks: Sequence[Chunk],
        title: str | None = None,
        url: str | None = None,
        deduplicate: bool = False,
        visibility: str = "",
    ) -> SourceRecord:
        """Write a source's new chunks, commit them in the manifest, then drop the old version.

        Readers never see the source missing, and a crash before the commit leaves the old
        version in place (the new chunks are removed at the next open). `visibility`: the private
        channel the source is restricted to ("" for public); give each visibility its own version
        (chunk ids), so the old version's chunks are not rewritten in place.
        """
        if not chunks:
            raise ValueError(f"{source}: nothing to index")
        repeats = 0
        with self._write_lock:
            self.refresh()  # duplicates are looked for among what every process indexed
            if deduplicate:
                chunks, repeats = self._share_keys_with_duplicates(source, chunks, visibility)
            tokens = [tokenize(chunk.text) for chunk in chunks]
            with self._state_lock:
                reuse = {chunk.text: cid for cid, chunk in self._chunks.items() if chunk.source == source}
            deferred: dict[int, list[str]] = {}
            for position, embedder, collection in self._vector_collections():
                if self.defer_slow and position in self._pending:
                    deferred[position] = self._carry_over(embedder, collection, chunks, reuse)
                    # A chunk id the old version used for another text: its vector would pass for the new one's.
                    _delete_ids(collection, deferred[position])
                else:
                    self._write_vectors(embedder, collection, chunks, reuse)
            for lead_store in self._lead_collections.values():  # the same: leads are of the old text
                _delete_ids(lead_store, [chunk.id for chunk in chunks])
            catalog = self._catalog
            for start in range(0, len(chunks), _WRITE_BATCH):
                batch = chunks[start : start + _WRITE_BATCH]
                batch_tokens = tokens[start : start + _WRITE_BATCH]
                vectors = self._vectors(self.embedders[self._catalog_at], catalog, batch, reuse)
                catalog.upsert(
                    ids=[chunk.id for chunk in batch],
                    embeddings=vectors.tolist(),
                    documents=[chunk.text for chunk in batch],
                    metadatas=[
                        _metadata(chunk, terms, time.time(), visibility)
                        for chunk, terms in zip(batch, batch_tokens, strict=True)
                    ],
                )
            first = chunks[0]
            record = SourceRecord(
                source,
                first.source_hash,
                title or first.doc_title,
                len(chunks),
                time.time(),
                url if url is not None else first.url,
                repeats,
                visibility,
            )
            new_ids = {chunk.id for chunk in chunks}
            with self._sync_lock:
                previous = self._manifests.commit(self._manifest, record)  # the commit point
                with self._state_lock:
                    self._manifest = {**self._manifest, source: record}
                    stale = [
                        cid
                        for cid, chunk in self._chunks.items()
                        if chunk.source == source and cid not in new_ids
                    ]
                    for chunk_id in stale:
                        self._forget(chunk_id)
                    for chunk, terms in zip(chunks, tokens, strict=True):
                        self._forget(chunk.id)
                        self._remember(chunk, terms, visibility)
                    for position, lacking in deferred.items():
                        self._pending[position].update(lacking)
            if self._shared:
                # The version the commit replaced, as the server had it: another process may have
                # committed since this one last looked, and its ingest in progress is not touched.
                stale = self._version_ids(source, previous, keep=new_ids) if previous != record.hash else []
            self._delete(stale)
            return record

    def _delete(self, ids: list[str]) -> None:
        """Catalog first: an id missing there is gone, whatever the vector collections still hold."""
        others = [collection for _, _, collection in self._vector_collections()]
        for collection in [self._catalog, *others, *self._lead_collections.values()]:
            _delete_ids(collection, ids)

    def remove_source(self, source: str) -> int:
        """Uncommit first (a crash after that still removes the chunks at the next open)."""
        with self._write_lock:
            with self._sync_lock:
                previous = self._manifests.uncommit(self._manifest, source)
                with self._state_lock:
                    self._manifest = {name: r for name, r in self._manifest.items() if name != source}
                    ids = [cid for cid, chunk in self._chunks.items() if chunk.source == source]
                    for chunk_id in ids:
                        self._forget(chunk_id)
            if self._shared:
                ids = self._version_ids(source, previous, keep=set())
            self._delete(ids)
            return len(ids)

    def sync_playbook(self, progress: IndexProgress | None = None) -> SyncReport:
        """Index the shipped playbook; only files whose content changed are embedded again."""
        return self.sync_sections(load_playbook(), prefix="playbook/", progress=progress)

    def sync_sections(
        self, sections: Iterable[Section], prefix: str, progress: IndexProgress | None = None
    ) -> SyncReport:
        """`progress` hears how many sections need embedding (none when nothing changed) and each file done."""
        by_source: dict[str, list[Section]] = defaultdict(list)
        for section in sections:
            by_source[section.source].append(section)
        indexed = {s: h for s, h in self.sources().items() if s.startswith(prefix)}
        digests = {
            source: content_hash(repr([(s.section_id, s.title, s.body) for s in source_sections]))
            for source, source_sections in by_source.items()
        }
        changed = [source for source in by_source if indexed.get(source) != digests[source]]
        unchanged = len(by_source) - len(changed)
        updated = sum(1 for source in changed if source in indexed)
        added = len(changed) - updated
        if progress is not None and changed:
            progress.start(sum(len(by_source[source]) for source in changed))
        try:
            for source in changed:
                self.replace_source(source, chunk_sections(by_source[source], digests[source]))
                if progress is not None:
                    progress.advance(source, len(by_source[source]))
        finally:
            if progress is not None and changed:
                progress.close()
        removed = 0
        for source in set(indexed) - set(by_source):
            self.remove_source(source)
            removed += 1
        if added or updated or removed:
            log.info("playbook indexed: %d added, %d updated, %d removed", added, updated, removed)
        return SyncReport(added, updated, removed, unchanged)

    # -- search ---------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        top_k: int = 5,
        lang: Lang | None = None,
        fusion: FusionConfig | None = None,
        visible_to: str | None = None,
    ) -> list[Hit]:
        """Fused dense + lexical search; translations of one section count once, shown in `lang`.
        `visible_to`: the channel asking (public documents plus its own); None: public only."""
        self.last_search = time.monotonic()
        self.refresh()
        with self._state_lock:
            return self._search(query, top_k, lang, fusion, visible_to)

    def _search(
        self, query: str, top_k: int, lang: Lang | None, fusion: FusionConfig | None, visible_to: str | None
    ) -> list[Hit]:
        query = self.corrected(query)
        scopes = visible_scopes(visible_to)
        hidden = {cid for cid, restriction in self._restricted.items() if restriction not in scopes}
        visible = len(self._chunks) - len(hidden)
        if not query or visible <= 0:
            return []
        fusion = fusion or self.fusion
        lang = lang or detect_language(query)
        depth = min(max(fusion.candidates, top_k), visible)
        query_tokens = tokenize(query)
        lexical: list[tuple[str, float]] = []
        if fusion.lexical_weight > 0:
            # Hidden chunks are dropped after ranking: asking for that many more keeps `depth`
            # visible ones, so a private passage never pushes a visible one out.
            ranked = self._lexical.search(query_tokens, depth + len(hidden))
            lexical = [(cid, score) for cid, score in ranked if cid not in hidden][:depth]
        hidden_sources = sorted({self._chunks[cid].source for cid in hidden})

        fused: dict[str, float] = defaultdict(float)
        similarities: dict[str, list[float]] = defaultdict(lambda: [0.0] * len(self.embedders))
        covered: dict[str, float] = {}

        def coverage(chunk_id: str) -> float:
            if chunk_id not in covered:
                covered[chunk_id] = self._lexical.coverage(query_tokens, chunk_id)
            return covered[chunk_id]

        rankings: dict[int, Ranking] = {}
        dense = self._dense_rankings(
            [position for position in range(len(self.embedders)) if fusion.dense_weight(position) > 0],
            query,
            depth,
            hidden_sources,
        )
        lacking = {position: self._unread(position) for position in self._pending}
        for position, outcome in dense.items():
            embedder = self.embedders[position]
            try:
                ranking = [(cid, cosine) for cid, cosine in outcome.result() if cid not in hidden]
            except EmbeddingUnavailable as error:
                log.warning("searching without the %s ranking: %s", embedder.name, error)
                continue
            for chunk_id, cosine in ranking:
                key = self._chunks[chunk_id].key
                similarities[key][position] = max(similarities[key][position], cosine)
            if fusion.cross_language_bonus:
                ranking = lift_other_languages(ranking, self._lang_of, lang, fusion.cross_language_bonus)
            rankings[position] = ranking

        def lexical_vote(chunk_id: str) -> float:
            # A lexical match on one common word is a weak vote: scale it by the share of the
            # query's term weight the chunk holds, so cross-language dense hits are not outvoted.
            return fusion.lexical_weight * coverage(chunk_id) ** fusion.coverage_power

        # Chunks whose slow vector is still pending, and not stood in for by a lead vector, rank
        # where the complete rankings (the fast embedders' and BM25's, fused) put them.
        stand_in: list[str] = []
        if any(lacking.get(position) for position in rankings):
            stand_in = fused_order(
                [
                    ([chunk_id for chunk_id, _ in ranking], fusion.dense_weight(position))
                    for position, ranking in rankings.items()
                    if not lacking.get(position)
                ]
                + [([chunk_id for chunk_id, _ in lexical], lexical_vote)],
                fusion.rrf_k,
            )
        for position, ranking in rankings.items():
            ordered = [chunk_id for chunk_id, _ in ranking]
            if lacking.get(position):
                ordered = with_stand_in(ordered, stand_in, lacking[position])
            for rank, key, _chunk_id in best_per_key(ordered, self._key_of):
                fused[key] += fusion.dense_weight(position) / (fusion.rrf_k + rank + 1)
        for rank, key, chunk_id in best_per_key((chunk_id for chunk_id, _ in lexical), self._key_of):
            fused[key] += lexical_vote(chunk_id) / (fusion.rrf_k + rank + 1)

        if fusion.other_language_lift and lexical:
            for key in fused:
                if not self._by_key[key].get(lang):
                    fused[key] *= 1.0 + fusion.other_language_lift
        exact = self._holding_codes(query, hidden)
        for key in exact:
            fused.setdefault(key, 0.0)
        hits: list[Hit] = []
        terms = len(set(query_tokens))
        kept: list[tuple[frozenset[int], frozenset[str]]] = []
        # Passages holding the question's codes (SOP numbers, order ids) come first, most codes first.
        for key, score in sorted(fused.items(), key=lambda item: (-exact.get(item[0], 0), -item[1])):
            chunk = self._pick_variant(key, lang, hidden)
            grams = shingles(chunk.text) if chunk.indexed_text is not None else frozenset()
            held = codes(chunk.text) if grams else frozenset()
            if grams and any(
                max(containment(grams, k), containment(k, grams)) >= CONTAINED and held == c for k, c in kept
            ):
                continue  # the same text from another document, cut at other places: show it once
            kept.append((grams, held))
            key_coverage = max(
                coverage(cid)
                for variants in self._by_key[key].values()
                for cid in variants
                if cid not in hidden
            )
            hits.append(Hit(chunk, score, tuple(similarities[key]), key_coverage, terms))
            if len(hits) == top_k:
                break
        return hits

    def corrected(self, query: str) -> str:
        """The query as it is searched: in Simplified script (a question in Traditional script
        meets Simplified text), its English typos corrected against the indexed words and its
        Chinese homophones of ops terms read as the terms."""
        return self._read(query)[0]

    def corrections(self, query: str) -> list[Correction]:
        """What `corrected` changed in the query: each word as typed (in Simplified script) and
        the word it is searched as."""
        return self._read(query)[1]

    def _read(self, query: str) -> tuple[str, list[Correction]]:
        sounded, homophone_readings = homophones(normalize_query(query))
        spelt, spelling_readings = self._spelling.read(sounded)
        return spelt, homophone_readings + spelling_readings

    def _holding_codes(self, query: str, hidden: set[str]) -> dict[str, int]:
        """Keys of the visible passages holding any of the query's codes exactly, with how many."""
        held: dict[str, set[str]] = defaultdict(set)
        for code in identifiers(query):
            for chunk_id in self._lexical.containing(tokenize(code)):
                chunk = self._chunks.get(chunk_id)
                if chunk is not None and chunk_id not in hidden and holds(chunk.text, code):
                    held[chunk.key].add(code)
        return {key: len(codes) for key, codes in held.items()}

    def _dense_rankings(
        self, positions: Sequence[int], query: str, depth: int, hidden_sources: list[str]
    ) -> dict[int, Future[Ranking]]:
        """Each embedder's nearest chunks, the embedders side by side: a model's question vector
        (e5's, in C, without the GIL) is computed while another's query travels to Chroma, which
        on a Chroma server is a round trip per embedder."""
        return {
            position: _DENSE_SEARCHES.submit(
                self._dense,
                self.embedders[position],
                self._collections[position],
                query,
                depth,
                hidden_sources,
                self._leads.get(position),
            )
            for position in positions
        }

    def _dense(
        self,
        embedder: Embedder,
        collection: Collection,
        query: str,
        depth: int,
        hidden_sources: list[str],
        leads: LeadVectors | None = None,
    ) -> list[tuple[str, float]]:
        """Nearest chunks; Chroma leaves out `hidden_sources` (filtered on `source`, which every
        collection's records carry, old ones too), so they do not take places in the `depth`.
        Passages still owed a full vector rank by their `leads` vector, if they have one."""
        vector = embedder.embed_query(query)
        where = {"source": {"$nin": hidden_sources}} if hidden_sources else None
        result = collection.query(
            query_embeddings=[vector.tolist()],
            n_results=depth,
            where=where,  # type: ignore[arg-type]
            include=["distances"],
        )
        ids = result["ids"][0]
        distances = (result["distances"] or [[]])[0]
        ranking = [
            (cid, 1.0 - float(dist)) for cid, dist in zip(ids, distances, strict=True) if cid in self._chunks
        ]
        if leads:
            hidden = set(hidden_sources)
            found = [
                (cid, cosine)
                for cid, cosine in leads.nearest(vector, len(leads))
                if (chunk := self._chunks.get(cid)) is not None and chunk.source not in hidden
            ]
            ranking = merged(ranking, found, depth)
        return ranking

    def _pick_variant(self, key: str, lang: Lang, hidden: set[str] | frozenset[str] = frozenset()) -> Chunk:
        """The passage in the question's language; among near-duplicates, the first indexed; never
        a hidden one (a key only ranks through a visible chunk, so there is one)."""
        variants = {
            variant_lang: shown
            for variant_lang, ids in self._by_key[key].items()
            if (shown := [cid for cid in ids if cid not in hidden])
        }
        chunk_ids = variants.get(lang) or next(iter(variants.values()))
        return self._chunks[chunk_ids[0]]

    def chunks(self) -> list[Chunk]:
        self.refresh()
        with self._state_lock:
            return list(self._chunks.values())


def _upsert_vectors(
    collection: Collection, chunks: Sequence[Chunk], vectors: Iterable[Sequence[float]]
) -> None:
    """Vector-only records (the collections other than the catalog), stamped with when they were written."""
    now = time.time()
    collection.upsert(
        ids=[chunk.id for chunk in chunks],
        embeddings=[np.asarray(vector, dtype=np.float32).tolist() for vector in vectors],
        metadatas=[{"source": chunk.source, "written_at": now} for chunk in chunks],
    )


def _pages(
    collection: Collection, include: Include, where: dict[str, object] | None = None
) -> Iterator[GetResult]:
    """A collection's records (or those matching `where`), a page at a time."""
    offset = 0
    while True:
        page = collection.get(where=where, include=include, limit=_READ_PAGE, offset=offset)  # type: ignore[arg-type]
        yield page
        if len(page["ids"]) < _READ_PAGE:
            return
        offset += len(page["ids"])


def _all_records(
    collection: Collection, include_metadata: bool, where: dict[str, object] | None = None
) -> Iterator[tuple[str, dict]]:  # type: ignore[type-arg]
    """Every (id, metadata) of a collection (or those matching `where`)."""
    for page in _pages(collection, ["metadatas"] if include_metadata else [], where):
        ids = page["ids"]
        metadatas = page["metadatas"] if include_metadata and page["metadatas"] else [{}] * len(ids)
        yield from zip(ids, metadatas, strict=True)


def _all_vectors(collection: Collection) -> Iterator[tuple[str, dict, Vectors]]:  # type: ignore[type-arg]
    """Every (id, metadata, vector) of a collection."""
    for page in _pages(collection, ["metadatas", "embeddings"]):
        ids = page["ids"]
        metadatas = page["metadatas"] or [{}] * len(ids)
        vectors = page["embeddings"] if page["embeddings"] is not None else []
        for chunk_id, metadata, vector in zip(ids, metadatas, vectors, strict=True):
            yield chunk_id, dict(metadata), np.asarray(vector, dtype=np.float32)


def _delete_ids(collection: Collection, ids: Sequence[str]) -> None:
    for start in range(0, len(ids), _READ_PAGE):
        collection.delete(ids=list(ids[start : start + _READ_PAGE]))


def _metadata(
    chunk: Chunk, tokens: list[str], written_at: float, visibility: str = ""
) -> dict[str, str | int | float]:
    return {
        "source": chunk.source,
        "doc_title": chunk.doc_title,
        "section_id": chunk.section_id,
        "section_title": chunk.section_title,
        "lang": chunk.lang,
        "body": chunk.body,
        "key": chunk.key,
        "position": chunk.position,
        "source_hash": chunk.source_hash,
        "url": chunk.url or "",
        "indexed_text": chunk.indexed_text or "",
        "tokens": " ".join(tokens),
        "written_at": written_at,
        "visibility": visibility,
    }


def _chunk_from_metadata(chunk_id: str, metadata: dict) -> Chunk:  # type: ignore[type-arg]
    return Chunk(
        id=chunk_id,
        source=str(metadata["source"]),
        doc_title=str(metadata["doc_title"]),
        section_id=str(metadata["section_id"]),
        section_title=str(metadata["section_title"]),
        lang="zh" if metadata["lang"] == "zh" else "en",
        body=str(metadata["body"]),
        key=str(metadata["key"]),
        position=int(metadata["position"]),
        source_hash=str(metadata["source_hash"]),
        url=str(metadata["url"]) or None,
        indexed_text=str(metadata.get("indexed_text") or "") or None,
    )
