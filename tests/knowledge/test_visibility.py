"""Documents restricted to a private channel: no ranking (dense, BM25, fused, the collapsing of
duplicates) ever returns them elsewhere, in embedded mode and on a shared Chroma server."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.index import KnowledgeIndex
from knowledge.ingest import IngestReport, ingest_bytes
from knowledge.ranking import FusionConfig
from knowledge.visibility import is_visible, visible_scopes
from tests.fakes.embedders import HashEmbedder
from tests.knowledge.test_index_server import chroma_server, chroma_url  # noqa: F401 (fixtures)

SECRET = (
    b"# Layoff plan\n\n## Timeline\n\nThe zebra restructuring moves the quokka warehouse team in March.\n"
)
PUBLIC = b"# Warehouse guide\n\n## Shifts\n\nThe quokka warehouse team works three shifts, starting at six.\n"
QUERY = "zebra restructuring quokka warehouse team"

DENSE_ONLY = FusionConfig(lexical_weight=0.0)
LEXICAL_ONLY = FusionConfig(dense_weights=(0.0,))
RANKINGS = [None, DENSE_ONLY, LEXICAL_ONLY]


def _ingest(index: KnowledgeIndex, name: str, data: bytes, visibility: str = "") -> IngestReport:
    report = IngestReport()
    ingest_bytes(index, f"docs/{name}", name, data, report, visibility=visibility)
    assert not report.refused, report.refused
    return report


def _found(
    index: KnowledgeIndex, visible_to: str | None, fusion: FusionConfig | None = None, query: str = QUERY
) -> set[str]:
    hits = index.search(query, top_k=10, lang="en", fusion=fusion, visible_to=visible_to)
    return {hit.chunk.source for hit in hits}


def _texts(index: KnowledgeIndex, visible_to: str | None, fusion: FusionConfig | None = None) -> str:
    hits = index.search(QUERY, top_k=10, lang="en", fusion=fusion, visible_to=visible_to)
    return "\n".join(hit.chunk.text + hit.chunk.body for hit in hits)


@pytest.mark.parametrize("fusion", RANKINGS, ids=["fused", "dense", "bm25"])
def test_a_private_document_is_found_only_in_its_channel(tmp_path: Path, fusion: FusionConfig | None) -> None:
    index = KnowledgeIndex(tmp_path, HashEmbedder())
    _ingest(index, "secret.md", SECRET, visibility="G1")
    _ingest(index, "guide.md", PUBLIC)
    assert _found(index, "G1", fusion) == {"docs/secret.md", "docs/guide.md"}
    for elsewhere in (None, "C1", "G2", "D1"):
        assert _found(index, elsewhere, fusion) == {"docs/guide.md"}
        assert "zebra" not in _texts(index, elsewhere, fusion)


def test_only_private_documents_match_and_nothing_is_returned_elsewhere(tmp_path: Path) -> None:
    index = KnowledgeIndex(tmp_path, HashEmbedder())
    _ingest(index, "secret.md", SECRET, visibility="G1")
    for fusion in RANKINGS:
        assert index.search("zebra restructuring", fusion=fusion, visible_to="C1") == []
        assert index.search("zebra restructuring", fusion=fusion) == []
        assert _found(index, "G1", fusion, "zebra restructuring") == {"docs/secret.md"}


def test_private_chunks_do_not_push_visible_ones_out_of_the_candidates(tmp_path: Path) -> None:
    index = KnowledgeIndex(tmp_path, HashEmbedder(), fusion=FusionConfig(candidates=1))
    for number in range(5):
        body = f"# Secret {number}\n\n## Part\n\nquokka warehouse team zebra plan {number}.\n".encode()
        _ingest(index, f"secret{number}.md", body, visibility="G1")
    _ingest(index, "guide.md", PUBLIC)
    for fusion in RANKINGS:
        narrow = FusionConfig(
            candidates=1,
            lexical_weight=(fusion or FusionConfig()).lexical_weight,
            dense_weights=(fusion or FusionConfig()).dense_weights,
        )
        assert _found(index, None, narrow) == {"docs/guide.md"}


def test_the_same_passage_in_a_private_and_a_public_document(tmp_path: Path) -> None:
    """Duplicates share a key at ingest; the shown variant and its coverage are always visible."""
    index = KnowledgeIndex(tmp_path, HashEmbedder())
    copy = SECRET.replace(b"# Layoff plan", b"# Team news")
    _ingest(index, "secret.md", SECRET, visibility="G1")
    report = _ingest(index, "news.md", copy)
    assert report.duplicates == 0  # a public ingest's report says nothing about private text
    private_copy = _ingest(index, "secret-copy.md", copy.replace(b"Team news", b"Copy"), visibility="G1")
    assert private_copy.duplicates == 1  # the public copy is visible in G1: shown once there
    for fusion in RANKINGS:
        public = index.search(QUERY, top_k=10, lang="en", fusion=fusion, visible_to="C1")
        assert [hit.chunk.source for hit in public] == ["docs/news.md"]
        assert all(hit.chunk.source != "docs/secret-copy.md" for hit in public)
        in_channel = {
            hit.chunk.source for hit in index.search(QUERY, top_k=10, fusion=fusion, visible_to="G1")
        }
        assert "docs/secret-copy.md" not in in_channel  # the same passage as news.md, shown once
        assert in_channel & {"docs/news.md", "docs/secret.md"}


def test_the_latest_ingest_sets_the_visibility_and_it_survives_reopening(tmp_path: Path) -> None:
    index = KnowledgeIndex(tmp_path, HashEmbedder())
    assert _ingest(index, "secret.md", SECRET, visibility="G1").added == ["docs/secret.md"]
    assert _ingest(index, "secret.md", SECRET, visibility="G1").unchanged == ["docs/secret.md"]
    # The same bytes learned in another private channel: it moves there.
    assert _ingest(index, "secret.md", SECRET, visibility="G2").updated == ["docs/secret.md"]
    assert _found(index, "G1") == set()
    assert _found(index, "G2") == {"docs/secret.md"}
    assert len(index) == 1  # the old version's chunks are gone
    record = index.source_record("docs/secret.md")
    assert record is not None and record.visibility == "G2"

    reopened = KnowledgeIndex(tmp_path, HashEmbedder())
    assert _found(reopened, None) == set()
    assert _found(reopened, "G2") == {"docs/secret.md"}
    assert [r.visibility for r in reopened.source_records()] == ["G2"]

    # Learned in a public place: everyone sees it.
    assert _ingest(reopened, "secret.md", SECRET).updated == ["docs/secret.md"]
    assert _found(reopened, None) == _found(reopened, "G1") == {"docs/secret.md"}
    assert reopened.source_records()[0].visibility == ""
    # And private again.
    _ingest(reopened, "secret.md", SECRET, visibility="G1")
    assert _found(reopened, None) == set()


def test_forgetting_a_private_document_removes_it_everywhere(tmp_path: Path) -> None:
    index = KnowledgeIndex(tmp_path, HashEmbedder())
    _ingest(index, "secret.md", SECRET, visibility="G1")
    assert index.remove_source("docs/secret.md") == 1
    for visible_to in (None, "G1", "C1"):
        for fusion in RANKINGS:
            assert _found(index, visible_to, fusion) == set()
    _ingest(index, "secret.md", SECRET)  # learned again, publicly: found everywhere, once
    assert _found(index, "C1") == {"docs/secret.md"}
    assert len(index) == 1


def test_a_shared_server_keeps_the_restriction_across_processes(chroma_url: str) -> None:  # noqa: F811
    first = KnowledgeIndex(None, HashEmbedder(), chroma_url=chroma_url)
    second = KnowledgeIndex(None, HashEmbedder(), chroma_url=chroma_url)
    _ingest(first, "secret.md", SECRET, visibility="G1")
    _ingest(first, "guide.md", PUBLIC)
    for fusion in RANKINGS:
        assert _found(second, None, fusion) == {"docs/guide.md"}
        assert _found(second, "C1", fusion) == {"docs/guide.md"}
        assert _found(second, "G1", fusion) == {"docs/secret.md", "docs/guide.md"}
    assert {r.source: r.visibility for r in second.source_records()} == {
        "docs/secret.md": "G1",
        "docs/guide.md": "",
    }
    third = KnowledgeIndex(None, HashEmbedder(), chroma_url=chroma_url)  # loads at open
    assert _found(third, None) == {"docs/guide.md"}
    assert _found(third, "G1") == {"docs/secret.md", "docs/guide.md"}

    _ingest(second, "secret.md", SECRET)  # made public by another process
    assert _found(first, "C1") == {"docs/secret.md", "docs/guide.md"}
    _ingest(first, "secret.md", SECRET, visibility="G2")  # and private again, elsewhere
    assert _found(second, "G1") == _found(third, None) == {"docs/guide.md"}
    assert _found(third, "G2") == {"docs/secret.md", "docs/guide.md"}


def test_restrictions_are_paths_a_reader_sees_along() -> None:
    assert visible_scopes("T1:C2") == {"T1", "T1:C2"} and visible_scopes(None) == frozenset()
    assert is_visible(None, None) and is_visible("T1", "T1:C2") and is_visible("T1:C2", "T1:C2")
    assert not is_visible("T1:C3", "T1:C2") and not is_visible("T2", "T1:C2") and not is_visible("C2", None)
