"""OpenAI-compatible embeddings as an extra ranking, against a local fake endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openai import OpenAI

from knowledge.index import KnowledgeIndex
from knowledge.ingest import ingest_paths
from knowledge.openai_embedder import OpenAIEmbedder
from tests.fakes.embedders import HashEmbedder
from tests.fakes.openai_server import FakeOpenAI


@pytest.fixture
def endpoint() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI()
    fake.start()
    yield fake
    fake.stop()


def _embedder(fake: FakeOpenAI) -> OpenAIEmbedder:
    assert fake._server is not None
    host, port = fake._server.server_address[:2]
    client = OpenAI(api_key="test", base_url=f"http://{host}:{port}/v1", max_retries=0, timeout=5)
    return OpenAIEmbedder(client, "text-embedding-3-small")


def test_openai_vectors_live_in_their_own_collection_and_rank(endpoint: FakeOpenAI, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# 续约\n\n续约要提前九十天启动，先准备使用数据报告。\n", encoding="utf-8")
    index = KnowledgeIndex(tmp_path / "index", [HashEmbedder(), _embedder(endpoint)])
    assert ingest_paths(index, [docs]).added == ["docs/docs/a.md"]
    names = {collection.name for collection in index._collections}
    assert names == {"chunks-test-hash", "chunks-openai-text-embedding-3-small"}
    hits = index.search("续约什么时候启动", top_k=1)
    assert hits[0].similarities[1] > 0, "the OpenAI ranking voted"
    assert any(r["path"].endswith("/embeddings") for r in endpoint.requests)


def test_search_goes_on_when_the_endpoint_fails(endpoint: FakeOpenAI, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# 续约\n\n续约要提前九十天启动。\n", encoding="utf-8")
    index = KnowledgeIndex(tmp_path / "index", [HashEmbedder(), _embedder(endpoint)])
    ingest_paths(index, [docs])
    endpoint.status = 500
    assert index.search("续约 启动", top_k=1)[0].chunk.source == "docs/docs/a.md"
    (docs / "b.md").write_text("# 复盘\n\n复盘分四步。\n", encoding="utf-8")
    report = ingest_paths(index, [docs])
    assert [name for name, _ in report.refused] == ["b.md"]
    assert "try again later" in report.refused[0][1].en
    assert "docs/docs/b.md" not in index.sources()
