"""The index in a real Chroma server (`chroma run` on loopback), shared by independent index objects
as several opsbot processes would share it."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import chromadb
import httpx
import pytest
from chromadb.config import Settings as ChromaSettings

from bot.answers.service import create_knowledge
from bot.core.config import SettingsError
from knowledge.chroma_server import ChromaUnreachable
from knowledge.index import KnowledgeIndex
from knowledge.ingest import IngestReport, ingest_bytes
from knowledge.ranking import FusionConfig
from tests.conftest import ChromaSnapshot, empty_chroma, make_settings
from tests.fakes.embedders import FastHash, HashEmbedder, SlowHash, SlowHashReadingLeads
from tests.fakes.ports import free_port

CHROMA = Path(sys.executable).with_name("chroma")
STARTUP_LIMIT_SECONDS = 60.0
LEXICAL_ONLY = FusionConfig(dense_weights=(0.0,))
"""Ranks with BM25 alone: proves the lexical index was rebuilt from what the server holds."""
RENEWALS = b"# Renewals\n\n## Discount ladder\n\nOffer the renewal discount ladder ninety days ahead.\n"
ONBOARDING = b"# Onboarding\n\n## Kickoff call\n\nThe kickoff call sets the onboarding milestones.\n"


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Chroma server on loopback for this module, stopped at the end."""
    if not CHROMA.exists():
        pytest.fail(f"{CHROMA} is missing: the chromadb package installs it")
    home = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = home / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(home / "data"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
    try:
        deadline = time.monotonic() + STARTUP_LIMIT_SECONDS
        while True:
            if server.poll() is not None:
                pytest.fail(f"chroma run exited with {server.returncode}:\n{log_path.read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"chroma run did not answer its heartbeat:\n{log_path.read_text()[-2000:]}")
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture
def chroma_url(chroma_server: str) -> str:
    """The module's server, emptied: each test starts without collections."""
    client = chromadb.HttpClient(
        host=chroma_server, settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    )
    for collection in client.list_collections():
        client.delete_collection(collection.name)
    return chroma_server


def _process(url: str) -> KnowledgeIndex:
    """What one opsbot process opens: its own index object on the shared server."""
    return KnowledgeIndex(None, HashEmbedder(), chroma_url=url)


def _ingest(index: KnowledgeIndex, name: str, data: bytes) -> IngestReport:
    report = IngestReport()
    ingest_bytes(index, f"docs/{name}", name, data, report)
    assert not report.refused, report.refused
    return report


def _found(index: KnowledgeIndex, query: str, fusion: FusionConfig | None = None) -> set[str]:
    return {hit.chunk.source for hit in index.search(query, top_k=5, lang="en", fusion=fusion)}


def test_a_document_ingested_by_one_process_is_found_by_another(chroma_url: str) -> None:
    writer, reader = _process(chroma_url), _process(chroma_url)  # both open before anything exists
    assert len(reader) == 0

    _ingest(writer, "renewals.md", RENEWALS)
    assert "docs/renewals.md" in _found(reader, "renewal discount ladder")
    assert "docs/renewals.md" in _found(reader, "renewal discount ladder", LEXICAL_ONLY)
    assert reader.source_record("docs/renewals.md") is not None

    _ingest(writer, "onboarding.md", ONBOARDING)
    assert "docs/onboarding.md" in _found(reader, "kickoff call milestones", LEXICAL_ONLY)
    assert set(reader.sources()) == {"docs/renewals.md", "docs/onboarding.md"}

    assert writer.remove_source("docs/renewals.md") == 1
    assert "docs/renewals.md" not in _found(reader, "renewal discount ladder")
    assert set(reader.sources()) == {"docs/onboarding.md"}
    assert [chunk.source for chunk in reader.chunks()] == ["docs/onboarding.md"]


def test_a_changed_document_replaces_the_old_text_everywhere(chroma_url: str) -> None:
    writer, reader = _process(chroma_url), _process(chroma_url)
    _ingest(writer, "renewals.md", RENEWALS)
    assert _found(reader, "ninety days", LEXICAL_ONLY) == {"docs/renewals.md"}

    report = _ingest(writer, "renewals.md", RENEWALS.replace(b"ninety", b"sixty"))
    assert report.updated == ["docs/renewals.md"]
    bodies = [hit.chunk.body for hit in reader.search("renewal discount ladder days", top_k=5, lang="en")]
    assert bodies == ["Offer the renewal discount ladder sixty days ahead."]
    assert len(_process(chroma_url)) == 1, "the old version is gone from the server"


def test_either_process_can_update_or_remove_what_the_other_ingested(chroma_url: str) -> None:
    first, second = _process(chroma_url), _process(chroma_url)
    _ingest(first, "renewals.md", RENEWALS)
    assert _ingest(second, "renewals.md", RENEWALS).unchanged == ["docs/renewals.md"]
    assert second.remove_source("docs/renewals.md") == 1
    assert first.search("renewal discount ladder") == []
    assert first.sources() == {}


def test_a_new_process_loads_the_shared_index_and_its_duplicates(chroma_url: str) -> None:
    writer = _process(chroma_url)
    _ingest(writer, "renewals.md", RENEWALS)
    copy = _ingest(writer, "renewals-copy.md", RENEWALS.replace(b"# Renewals", b"# Renewals (copy)"))
    assert copy.duplicates == 1
    later = _process(chroma_url)
    assert len(later) == 2
    assert len(later.search("renewal discount ladder", top_k=5)) == 1, "the same passage shows once"


def test_the_playbook_syncs_once_and_is_searched_from_every_process(chroma_url: str) -> None:
    first = _process(chroma_url)
    report = first.sync_playbook()
    assert report.added > 0 and report.unchanged == 0
    second = _process(chroma_url)
    again = second.sync_playbook()
    assert (again.added, again.updated, again.removed) == (0, 0, 0)
    assert again.unchanged == report.added
    hits = second.search("复盘 四步", top_k=3, lang="zh")
    assert hits and all(hit.chunk.source.startswith("playbook/") for hit in hits)
    assert len(second) == len(first)


def test_the_knowledge_service_uses_chroma_url(chroma_url: str, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, CHROMA_URL=chroma_url)
    service = create_knowledge(settings, embedders=lambda: [HashEmbedder()], llm=None)
    service.warm_up()
    assert any(record.source.startswith("playbook/") for record in service.sources())
    assert not (tmp_path / "chroma").exists(), "nothing is kept in OPSBOT_HOME"
    other = create_knowledge(settings, embedders=lambda: [HashEmbedder()], llm=None)
    report = other.ingest("docs/renewals.md", "renewals.md", RENEWALS)
    assert report.added == ["docs/renewals.md"]
    assert "docs/renewals.md" in {record.source for record in service.sources()}


def test_an_ingest_still_running_elsewhere_is_left_alone(
    chroma_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks written but not committed yet are invisible, and a process opening meanwhile does not
    delete them; once older than the grace period they are a crash's leftovers and go."""
    writer = _process(chroma_url)

    def crash(*args: object) -> None:
        raise RuntimeError("stopped before the commit")

    monkeypatch.setattr(writer._manifests, "commit", crash)
    with pytest.raises(RuntimeError):
        _ingest(writer, "renewals.md", RENEWALS)
    reader = _process(chroma_url)
    assert reader.search("renewal discount ladder") == [] and reader.sources() == {}
    catalog = reader._collections[0]
    assert catalog.count() == 1, "the uncommitted chunk is still there"

    monkeypatch.setattr("knowledge.index.ORPHAN_GRACE_SECONDS", -1.0)
    _process(chroma_url)
    assert catalog.count() == 0


def test_an_unreachable_server_is_one_clear_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ChromaUnreachable, match=r"^cannot reach http://127\.0\.0\.1:\d+ \(.+\)$"):
        KnowledgeIndex(None, HashEmbedder(), chroma_url=url)
    service = create_knowledge(
        make_settings(tmp_path, CHROMA_URL=url), embedders=lambda: [HashEmbedder()], llm=None
    )
    with pytest.raises(SettingsError) as raised:
        service.warm_up()
    assert str(raised.value).startswith(f"Setting CHROMA_URL: cannot reach {url} (")
    assert "\n" not in str(raised.value)


def test_a_server_that_is_not_chroma_is_named_as_such() -> None:
    class NotChroma(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_error(404)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), NotChroma)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        with pytest.raises(ChromaUnreachable, match=r"HTTP 404 .*Chroma"):
            KnowledgeIndex(None, HashEmbedder(), chroma_url=url)
    finally:
        server.shutdown()
        server.server_close()


def test_a_snapshot_written_back_to_an_emptied_server_is_the_same_index(chroma_url: str) -> None:
    """What CI's server runs rely on (tests/conftest.py): emptying leaves nothing for the next index
    to find, and the playbook's copy written back opens as the index it was taken from."""
    client = chromadb.HttpClient(
        host=chroma_url, settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    )
    writer = _process(chroma_url)
    writer.sync_playbook()
    _ingest(writer, "renewals.md", RENEWALS)
    snapshot = ChromaSnapshot.take(client)
    expected = _found(writer, "renewal discount ladder"), set(writer.sources().items()), len(writer)

    empty_chroma(client)
    assert client.list_collections() == []
    empty = _process(chroma_url)
    assert len(empty) == 0 and empty.sources() == {}

    snapshot.restore(client)
    restored = _process(chroma_url)
    assert (_found(restored, "renewal discount ladder"), set(restored.sources().items()), len(restored)) == (
        expected
    )
    assert "docs/renewals.md" in _found(restored, "renewal discount ladder", LEXICAL_ONLY)
    playbook = [source for source, _ in expected[1] if source.startswith("playbook/")]
    assert restored.sync_playbook().unchanged == len(playbook) > 0
    snapshot.restore(client)  # twice in a row, as before each test
    assert set(_process(chroma_url).sources().items()) == expected[1]


def test_a_snapshot_tells_whether_anything_was_written_since(chroma_url: str) -> None:
    """How CI's server runs decide that a test left the playbook as it found it: an ingest, or an
    ingest undone (the manifest's revision changed), or chunks never committed all count."""
    client = chromadb.HttpClient(
        host=chroma_url, settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    )
    writer = _process(chroma_url)
    _ingest(writer, "renewals.md", RENEWALS)
    before = ChromaSnapshot.take(client)
    _found(_process(chroma_url), "renewal discount ladder")  # reading writes nothing
    assert before.same_as(ChromaSnapshot.take(client))

    _ingest(writer, "onboarding.md", ONBOARDING)
    assert not before.same_as(ChromaSnapshot.take(client))
    writer.remove_source("docs/onboarding.md")
    assert not before.same_as(ChromaSnapshot.take(client)), "same documents, another revision"

    before = ChromaSnapshot.take(client)
    writer._collections[0].upsert(ids=["stray"], embeddings=[[0.0] * HashEmbedder.dimension])
    assert not before.same_as(ChromaSnapshot.take(client))
    writer._collections[0].delete(ids=["stray"])
    assert before.same_as(ChromaSnapshot.take(client))


def test_slow_vectors_another_process_owes_are_noted_and_filled_once(chroma_url: str) -> None:
    writer = KnowledgeIndex(None, [SlowHash(), FastHash()], chroma_url=chroma_url, defer_slow=True)
    reader = KnowledgeIndex(None, [SlowHash(), FastHash()], chroma_url=chroma_url)
    _ingest(writer, "renewals.md", RENEWALS)
    assert writer.pending == 1
    assert "docs/renewals.md" in _found(reader, "renewal discount ladder")
    assert reader.pending == 1, "the reader learns at its refresh what the commit still owes"

    assert writer.fill_pending() == 1
    slow = SlowHash()
    calls: list[int] = []
    slow.embed_passages = lambda texts: calls.append(len(texts)) or SlowHash().embed_passages(texts)  # type: ignore[method-assign]
    reader.embedders[0] = slow
    assert reader.fill_pending() == 1
    assert calls == [], "a vector another process wrote meanwhile is not computed again"
    assert reader.pending == 0


LONG_RENEWALS = (
    b"# Renewals\n\n## Discount ladder\n\n"
    b"Offer the renewal discount ladder ninety days ahead and name the owner of each step.\n"
)


def test_a_first_pass_made_by_one_process_serves_every_process(chroma_url: str) -> None:
    writer = KnowledgeIndex(
        None, [SlowHashReadingLeads(), FastHash()], chroma_url=chroma_url, defer_slow=True
    )
    slow = SlowHashReadingLeads()
    reader = KnowledgeIndex(None, [slow, FastHash()], chroma_url=chroma_url, defer_slow=True)
    watcher = KnowledgeIndex(None, [SlowHashReadingLeads(), FastHash()], chroma_url=chroma_url)
    _ingest(writer, "renewals.md", LONG_RENEWALS)
    assert "docs/renewals.md" in _found(reader, "renewal discount ladder")
    assert reader.pending_unread == 1, "the reader learns what the commit owes, no lead yet"

    assert writer.fill_pending(leads_first=True) == 1
    assert writer.pending_unread == 0
    assert "docs/renewals.md" in _found(watcher, "renewal discount ladder")
    assert (watcher.pending, watcher.pending_unread) == (1, 0), (
        "one learning of the commit now takes its lead"
    )
    assert reader.fill_pending(leads_first=True) == 1
    assert slow.embedded == [], "the lead the writer stored is taken, not read again"
    assert reader.pending_unread == 0 and reader.pending == 1

    late = KnowledgeIndex(None, [SlowHashReadingLeads(), FastHash()], chroma_url=chroma_url)
    assert (late.pending, late.pending_unread) == (1, 0), "a process opened later ranks by it too"
