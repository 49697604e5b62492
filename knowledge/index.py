"""The searchable index: Chroma (dense) plus BM25 (lexical), fused, with translations collapsed."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import chromadb
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings

from knowledge.documents import Chunk, Section, chunk_sections, content_hash, load_playbook
from knowledge.embedders import Embedder, EmbeddingUnavailable
from knowledge.lexical import BM25Index
from knowledge.near_duplicates import CONTAINED, NearDuplicates, containment, shingles
from knowledge.normalize import normalize_query
from knowledge.text import Lang, detect_language, tokenize

log = logging.getLogger(__name__)

_WRITE_BATCH = 256
_READ_PAGE = 5000
"""Chroma's SQLite refuses one query over ~32k ids ("too many SQL variables"): read in pages."""
MANIFEST = "sources.json"


@dataclass(frozen=True)
class FusionConfig:
    """Reciprocal-rank fusion of the dense and lexical rankings; defaults chosen by measurement
    (benchmarks/retrieval_tuning.py over the playbook and corpus question sets, on an index holding
    both: among the settings with the best mean MRR@5, one where the fusion is at least as good as
    BM25 alone and the embedders alone on hit@5, and better on MRR@5, on both sets)."""

    candidates: int = 40
    rrf_k: float = 5.0
    dense_weights: tuple[float, ...] = (1.0, 0.5)
    """One weight per embedder, in the index's order; a missing entry counts as 1.0."""
    lexical_weight: float = 0.75
    coverage_power: float = 1.0

    def dense_weight(self, position: int) -> float:
        return self.dense_weights[position] if position < len(self.dense_weights) else 1.0


@dataclass(frozen=True)
class Hit:
    """One search result. `similarities`: the best cosine per embedder, in the index's order (0 when
    that embedder did not rank it); `coverage`: share of the query's term weight found in it (0 to 1)."""

    chunk: Chunk
    score: float
    similarities: tuple[float, ...]
    coverage: float

    @property
    def similarity(self) -> float:
        return self.similarities[0]


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


@dataclass(frozen=True)
class SyncReport:
    added: int
    updated: int
    removed: int
    unchanged: int


class KnowledgeIndex:
    """One Chroma collection per embedder plus a BM25 index rebuilt at open.

    The first embedder's collection is the catalog (text and metadata); the others hold vectors
    only and are reconciled with it at open, so adding an embedder heals itself. A source is
    committed by the manifest (`sources.json`, replaced atomically): chunks of an uncommitted version
    are removed at open, so a crash in the middle of an ingest leaves the index as it was before.
    """

    def __init__(
        self,
        directory: Path,
        embedders: Embedder | Sequence[Embedder],
        fusion: FusionConfig | None = None,
    ) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.embedders: list[Embedder] = list(embedders) if isinstance(embedders, Sequence) else [embedders]
        if not self.embedders:
            raise ValueError("at least one embedder is needed")
        self.fusion = fusion or FusionConfig()
        self._client = chromadb.PersistentClient(
            path=str(directory),
            settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False),
        )
        self._collections = [
            self._client.get_or_create_collection(
                name=f"chunks-{embedder.name}", metadata={"hnsw:space": "cosine"}, embedding_function=None
            )
            for embedder in self.embedders
        ]
        self._write_lock = threading.Lock()
        self._state_lock = threading.RLock()
        """Guards the in-memory state below: searches read it while an ingest updates it."""
        self._manifest_path = directory / MANIFEST
        self._manifest: dict[str, SourceRecord] = {}
        self._chunks: dict[str, Chunk] = {}
        self._by_key: dict[str, dict[Lang, list[str]]] = defaultdict(lambda: defaultdict(list))
        self._lexical = BM25Index()
        self._near: NearDuplicates | None = None
        self._load()

    def __len__(self) -> int:
        return len(self._chunks)

    # -- loading and writing -------------------------------------------------------------------

    @property
    def embedder(self) -> Embedder:
        """The primary embedder (also used to rank sentences inside answers)."""
        return self.embedders[0]

    def _load(self) -> None:
        loaded = [
            (_chunk_from_metadata(chunk_id, metadata), str(metadata.get("tokens", "")).split())
            for chunk_id, metadata in _all_records(self._collections[0], include_metadata=True)
        ]
        self._manifest = self._read_manifest(loaded)
        uncommitted = [
            chunk.id
            for chunk, _ in loaded
            if (record := self._manifest.get(chunk.source)) is None or record.hash != chunk.source_hash
        ]
        if uncommitted:
            log.warning("removing %d chunks of an ingest that did not finish", len(uncommitted))
            self._delete(uncommitted)
        dropped = set(uncommitted)
        for chunk, tokens in loaded:
            if chunk.id not in dropped:
                self._remember(chunk, tokens)
        for embedder, collection in zip(self.embedders[1:], self._collections[1:], strict=True):
            present = {chunk_id for chunk_id, _ in _all_records(collection, include_metadata=False)}
            extra = list(present - self._chunks.keys())
            for start in range(0, len(extra), _READ_PAGE):
                collection.delete(ids=extra[start : start + _READ_PAGE])
            missing = [chunk for chunk_id, chunk in self._chunks.items() if chunk_id not in present]
            if missing:
                log.info("adding %d chunks to the %s vectors", len(missing), embedder.name)
                try:
                    self._write_vectors(embedder, collection, missing)
                except EmbeddingUnavailable as error:
                    log.warning("%s vectors incomplete (%s); retried at the next start", embedder.name, error)

    def _write_vectors(self, embedder: Embedder, collection: Collection, chunks: Sequence[Chunk]) -> None:
        for start in range(0, len(chunks), _WRITE_BATCH):
            batch = chunks[start : start + _WRITE_BATCH]
            vectors = embedder.embed_passages([chunk.text for chunk in batch])
            collection.upsert(
                ids=[chunk.id for chunk in batch],
                embeddings=vectors.tolist(),
                metadatas=[{"source": chunk.source} for chunk in batch],
            )

    def _read_manifest(self, loaded: list[tuple[Chunk, list[str]]]) -> dict[str, SourceRecord]:
        """The committed sources; an index made before the manifest existed commits what it holds."""
        try:
            records = json.loads(self._manifest_path.read_text(encoding="utf-8"))
            return {record["source"]: SourceRecord(**record) for record in records}
        except FileNotFoundError:
            pass
        except (ValueError, TypeError, KeyError):
            log.error(
                "the index manifest %s is unreadable; rebuilding it from the chunks", self._manifest_path
            )
        manifest: dict[str, SourceRecord] = {}
        for chunk, _ in loaded:
            known = manifest.get(chunk.source)
            count = known.chunks + 1 if known else 1
            manifest[chunk.source] = SourceRecord(
                chunk.source, chunk.source_hash, chunk.doc_title, count, time.time(), chunk.url
            )
        self._write_manifest(manifest)
        return manifest

    def _write_manifest(self, manifest: dict[str, SourceRecord]) -> None:
        """Write to a temporary file, flush it to disk, then rename over the old one (atomic)."""
        partial = self._manifest_path.with_suffix(".json.partial")
        records = [asdict(record) for record in sorted(manifest.values(), key=lambda r: r.source)]
        with partial.open("w", encoding="utf-8") as handle:
            json.dump(records, handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, self._manifest_path)

    def _remember(self, chunk: Chunk, tokens: list[str]) -> None:
        self._chunks[chunk.id] = chunk
        variants = self._by_key[chunk.key][chunk.lang]
        if chunk.id not in variants:
            variants.append(chunk.id)
        self._lexical.add(chunk.id, tokens)
        if self._near is not None and chunk.indexed_text is not None:
            self._near.add(chunk.id, chunk.key, chunk.text)

    def _forget(self, chunk_id: str) -> None:
        chunk = self._chunks.pop(chunk_id, None)
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
        if self._near is not None:
            self._near.remove(chunk_id)

    def sources(self) -> dict[str, str]:
        """Each committed source with its content hash."""
        return {source: record.hash for source, record in self._manifest.items()}

    def source_record(self, source: str) -> SourceRecord | None:
        return self._manifest.get(source)

    def source_records(self) -> list[SourceRecord]:
        return sorted(self._manifest.values(), key=lambda record: record.source)

    def _near_duplicates(self) -> NearDuplicates:
        """Built on first use (an ingest), from the indexed documents' passages."""
        if self._near is None:
            near = NearDuplicates()
            for chunk in self._chunks.values():
                if chunk.indexed_text is not None:
                    near.add(chunk.id, chunk.key, chunk.text)
            self._near = near
        return self._near

    def _share_keys_with_duplicates(self, source: str, chunks: Sequence[Chunk]) -> tuple[list[Chunk], int]:
        """A chunk that is the same passage as an indexed one of another source (or an earlier chunk
        of this one) takes its key, so results show it once; returns the chunks and how many of them
        repeat indexed text (search also drops repeats cut at other places, see `_search`)."""
        near = self._near_duplicates()
        batch = NearDuplicates()
        result, repeats = [], 0
        for chunk in chunks:
            found = near.matches(chunk.text, exclude_prefix=f"{source}#") + batch.matches(chunk.text)
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
    ) -> SourceRecord:
        """Write a source's new chunks, commit them in the manifest, then drop the old version.

        Readers never see the source missing, and a crash before the commit leaves the old
        version in place (the new chunks are removed at the next open).
        """
        if not chunks:
            raise ValueError(f"{source}: nothing to index")
        repeats = 0
        with self._write_lock:
            if deduplicate:
                chunks, repeats = self._share_keys_with_duplicates(source, chunks)
            tokens = [tokenize(chunk.text) for chunk in chunks]
            for embedder, collection in zip(self.embedders[1:], self._collections[1:], strict=True):
                self._write_vectors(embedder, collection, chunks)
            catalog = self._collections[0]
            for start in range(0, len(chunks), _WRITE_BATCH):
                batch = chunks[start : start + _WRITE_BATCH]
                batch_tokens = tokens[start : start + _WRITE_BATCH]
                vectors = self.embedder.embed_passages([chunk.text for chunk in batch])
                catalog.upsert(
                    ids=[chunk.id for chunk in batch],
                    embeddings=vectors.tolist(),
                    documents=[chunk.text for chunk in batch],
                    metadatas=[
                        _metadata(chunk, terms) for chunk, terms in zip(batch, batch_tokens, strict=True)
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
            )
            with self._state_lock:
                committed = {**self._manifest, source: record}
                self._write_manifest(committed)  # the commit point
                self._manifest = committed
                new_ids = {chunk.id for chunk in chunks}
                stale = [
                    cid
                    for cid, chunk in self._chunks.items()
                    if chunk.source == source and cid not in new_ids
                ]
                for chunk_id in stale:
                    self._forget(chunk_id)
                for chunk, terms in zip(chunks, tokens, strict=True):
                    self._forget(chunk.id)
                    self._remember(chunk, terms)
            self._delete(stale)
            return record

    def _delete(self, ids: list[str]) -> None:
        """Catalog first: an id missing there is gone, whatever the vector collections still hold."""
        for collection in self._collections:
            for start in range(0, len(ids), _READ_PAGE):
                collection.delete(ids=ids[start : start + _READ_PAGE])

    def remove_source(self, source: str) -> int:
        """Uncommit first (a crash after that still removes the chunks at the next open)."""
        with self._write_lock:
            with self._state_lock:
                if source in self._manifest:
                    remaining = {name: r for name, r in self._manifest.items() if name != source}
                    self._write_manifest(remaining)
                    self._manifest = remaining
                ids = [cid for cid, chunk in self._chunks.items() if chunk.source == source]
                for chunk_id in ids:
                    self._forget(chunk_id)
            self._delete(ids)
            return len(ids)

    def sync_playbook(self) -> SyncReport:
        """Index the shipped playbook; only files whose content changed are embedded again."""
        return self.sync_sections(load_playbook(), prefix="playbook/")

    def sync_sections(self, sections: Iterable[Section], prefix: str) -> SyncReport:
        by_source: dict[str, list[Section]] = defaultdict(list)
        for section in sections:
            by_source[section.source].append(section)
        indexed = {s: h for s, h in self.sources().items() if s.startswith(prefix)}
        added = updated = unchanged = 0
        for source, source_sections in by_source.items():
            digest = content_hash(repr([(s.section_id, s.title, s.body) for s in source_sections]))
            if indexed.get(source) == digest:
                unchanged += 1
                continue
            if source in indexed:
                updated += 1
            else:
                added += 1
            self.replace_source(source, chunk_sections(source_sections, digest))
        removed = 0
        for source in set(indexed) - set(by_source):
            self.remove_source(source)
            removed += 1
        if added or updated or removed:
            log.info("playbook indexed: %d added, %d updated, %d removed", added, updated, removed)
        return SyncReport(added, updated, removed, unchanged)

    # -- search ---------------------------------------------------------------------------------

    def search(
        self, query: str, top_k: int = 5, lang: Lang | None = None, fusion: FusionConfig | None = None
    ) -> list[Hit]:
        """Fused dense + lexical search; translations of one section count once, shown in `lang`."""
        with self._state_lock:
            return self._search(query, top_k, lang, fusion)

    def _search(self, query: str, top_k: int, lang: Lang | None, fusion: FusionConfig | None) -> list[Hit]:
        query = normalize_query(query)  # a question in Traditional script meets Simplified text
        if not query or not self._chunks:
            return []
        fusion = fusion or self.fusion
        lang = lang or detect_language(query)
        depth = min(max(fusion.candidates, top_k), len(self._chunks))
        query_tokens = tokenize(query)
        lexical = self._lexical.search(query_tokens, depth) if fusion.lexical_weight > 0 else []

        fused: dict[str, float] = defaultdict(float)
        similarities: dict[str, list[float]] = defaultdict(lambda: [0.0] * len(self.embedders))
        covered: dict[str, float] = {}

        def coverage(chunk_id: str) -> float:
            if chunk_id not in covered:
                covered[chunk_id] = self._lexical.coverage(query_tokens, chunk_id)
            return covered[chunk_id]

        for position, (embedder, collection) in enumerate(
            zip(self.embedders, self._collections, strict=True)
        ):
            weight = fusion.dense_weight(position)
            if weight <= 0:
                continue
            try:
                ranking = self._dense(embedder, collection, query, depth)
            except EmbeddingUnavailable as error:
                log.warning("searching without the %s ranking: %s", embedder.name, error)
                continue
            for chunk_id, cosine in ranking:
                key = self._chunks[chunk_id].key
                similarities[key][position] = max(similarities[key][position], cosine)
            for rank, key, _chunk_id in self._best_per_key(chunk_id for chunk_id, _ in ranking):
                fused[key] += weight / (fusion.rrf_k + rank + 1)
        for rank, key, chunk_id in self._best_per_key(chunk_id for chunk_id, _ in lexical):
            # A lexical match on one common word is a weak vote: scale it by the share of the
            # query's term weight the chunk holds, so cross-language dense hits are not outvoted.
            weight = coverage(chunk_id) ** fusion.coverage_power
            fused[key] += fusion.lexical_weight * weight / (fusion.rrf_k + rank + 1)

        hits: list[Hit] = []
        kept: list[frozenset[int]] = []
        for key, score in sorted(fused.items(), key=lambda item: -item[1]):
            chunk = self._pick_variant(key, lang)
            grams = shingles(chunk.text) if chunk.indexed_text is not None else frozenset()
            if grams and any(max(containment(grams, k), containment(k, grams)) >= CONTAINED for k in kept):
                continue  # the same text from another document, cut at other places: show it once
            kept.append(grams)
            key_coverage = max(coverage(cid) for variants in self._by_key[key].values() for cid in variants)
            hits.append(Hit(chunk, score, tuple(similarities[key]), key_coverage))
            if len(hits) == top_k:
                break
        return hits

    def _best_per_key(self, chunk_ids: Iterable[str]) -> Iterator[tuple[int, str, str]]:
        """(rank, key, chunk id) at each key's best place in a ranking. Each key votes once per
        ranking: a section with a translation (or a duplicate) must not outvote a passage that
        exists in one language only."""
        seen: set[str] = set()
        for chunk_id in chunk_ids:
            key = self._chunks[chunk_id].key
            if key not in seen:
                yield len(seen), key, chunk_id
                seen.add(key)

    def _dense(
        self, embedder: Embedder, collection: Collection, query: str, depth: int
    ) -> list[tuple[str, float]]:
        vector = embedder.embed_query(query)
        result = collection.query(query_embeddings=[vector.tolist()], n_results=depth, include=["distances"])
        ids = result["ids"][0]
        distances = (result["distances"] or [[]])[0]
        return [
            (cid, 1.0 - float(dist)) for cid, dist in zip(ids, distances, strict=True) if cid in self._chunks
        ]

    def _pick_variant(self, key: str, lang: Lang) -> Chunk:
        """The passage in the question's language; among near-duplicates, the first indexed."""
        variants = self._by_key[key]
        chunk_ids = variants.get(lang) or next(iter(variants.values()))
        return self._chunks[chunk_ids[0]]

    def chunks(self) -> list[Chunk]:
        with self._state_lock:
            return list(self._chunks.values())


def _all_records(collection: Collection, include_metadata: bool) -> Iterator[tuple[str, dict]]:  # type: ignore[type-arg]
    """Every (id, metadata) of a collection, a page at a time."""
    offset = 0
    while True:
        page = collection.get(
            include=["metadatas"] if include_metadata else [], limit=_READ_PAGE, offset=offset
        )
        ids = page["ids"]
        metadatas = page["metadatas"] if include_metadata and page["metadatas"] else [{}] * len(ids)
        yield from zip(ids, metadatas, strict=True)
        if len(ids) < _READ_PAGE:
            return
        offset += len(ids)


def _metadata(chunk: Chunk, tokens: list[str]) -> dict[str, str | int]:
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
