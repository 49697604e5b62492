"""The playbook's shipped vectors: complete, still what the embedders compute, and used."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from knowledge.embedders import Relevance, Vectors, create_embedders
from knowledge.index import KnowledgeIndex
from knowledge.playbook_vectors import (
    SHIPPED_EMBEDDERS,
    passages_without_vectors,
    playbook_chunks,
    shipped_vectors,
    text_digest,
)

STALE = "the playbook changed: run `python -m knowledge.playbook_vectors`"


def test_every_passage_of_the_playbook_has_its_vectors_shipped() -> None:
    for embedder in create_embedders(SHIPPED_EMBEDDERS):
        assert passages_without_vectors(embedder.name) == [], STALE


def test_the_shipped_vectors_are_what_the_embedders_compute() -> None:
    sample = [chunk.text for chunk in playbook_chunks()][::12]
    for embedder in create_embedders(SHIPPED_EMBEDDERS):
        shipped = np.stack([shipped_vectors(embedder.name)[text_digest(text)] for text in sample])
        computed = embedder.embed_passages(sample)
        cosines = np.sum(shipped * computed, axis=1)
        assert cosines.min() > 0.999, f"{embedder.name}: {STALE} (cosine {cosines.min():.4f})"


class CountingEmbedder:
    """Stands in for USE-m3 by name: any text it is asked to embed was not shipped."""

    name = "use-m3"
    dimension = 512
    kind = "fast"
    relevance = Relevance(strong=0.33, weak=0.2)

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        self.embedded.extend(texts)
        return np.ones((len(texts), self.dimension), dtype=np.float32) / np.sqrt(self.dimension)

    def embed_query(self, text: str) -> Vectors:
        return self.embed_passages([text])[0]


def test_indexing_the_playbook_embeds_nothing_and_a_team_document_as_before(tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    index = KnowledgeIndex(tmp_path, [embedder])  # type: ignore[list-item]
    index.sync_playbook()
    assert len(index) == len(playbook_chunks()) and embedder.embedded == []
    chunk = next(c for c in index.chunks() if c.lang == "en" and c.section_id == "daily.todo-list")
    stored = index._catalog.get(ids=[chunk.id], include=["embeddings"])["embeddings"][0]
    assert np.allclose(stored, shipped_vectors("use-m3")[text_digest(chunk.text)], atol=1e-6)
    edited = chunk.text + " An edit the playbook does not have."
    index.replace_source(
        "docs/notes.md", [replace(chunk, id="docs/notes.md#a:0", source="docs/notes.md", indexed_text=edited)]
    )
    assert embedder.embedded == [edited]
