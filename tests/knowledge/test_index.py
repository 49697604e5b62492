"""The index with a deterministic embedder: sync, replace, remove and translation collapsing."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bot.answers.service import KnowledgeService
from knowledge.documents import Section
from knowledge.embedders import EmbeddingUnavailable, Vectors
from knowledge.index import KnowledgeIndex
from knowledge.ingest import ingest_paths
from knowledge.ranking import FusionConfig
from tests.fakes.embedders import FastHash, HashEmbedder, SlowHash, SlowHashAsFirst, SlowHashReadingLeads


def _sections(source: str, body_en: str, body_zh: str) -> list[Section]:
    return [
        Section(f"{source}/en.md", "Doc", "s1", "Renewals", "en", body_en, f"{source}:s1"),
        Section(f"{source}/zh.md", "文档", "s1", "续约", "zh", body_zh, f"{source}:s1"),
    ]


def test_sync_is_incremental_and_translations_collapse(tmp_path: Path) -> None:
    index = KnowledgeIndex(tmp_path, HashEmbedder())
    sections = _sections("t", "renewal discount ladder", "续约 折扣 方案")
    report = index.sync_sections(sections, prefix="t/")
    assert (report.added, report.unchanged) == (2, 0)
    assert index.sync_sections(sections, prefix="t/").unchanged == 2

    hits = index.search("renewal discount", top_k=5, lang="zh")
    assert len(hits) == 1
    assert hits[0].chunk.lang == "zh"
    assert index.search("renewal discount", top_k=5, lang="en")[0].chunk.lang == "en"


def test_changed_source_replaces_its_chunks_and_survives_reopen(tmp_path: Path) -> None:
    index = KnowledgeIndex(tmp_path, HashEmbedder())
    index.sync_sections(_sections("t", "renewal discount ladder", "续约 折扣"), prefix="t/")
    report = index.sync_sections(_sections("t", "weekly report template", "周报 模板"), prefix="t/")
    assert report.updated == 2
    assert all("discount" not in hit.chunk.body for hit in index.search("discount ladder", top_k=5))
    assert len(index) == 2
    reopened = KnowledgeIndex(tmp_path, HashEmbedder())
    assert len(reopened) == 2
    assert "weekly" in reopened.search("weekly report", top_k=1, lang="en")[0].chunk.body


def test_removed_sources_leave_the_index(tmp_path: Path) -> None:
    index = KnowledgeIndex(tmp_path, HashEmbedder())
    index.sync_sections(_sections("t", "renewal", "续约"), prefix="t/")
    report = index.sync_sections([], prefix="t/")
    assert report.removed == 2
    assert len(index) == 0
    assert index.search("renewal") == []


def test_empty_query_returns_nothing(tmp_path: Path) -> None:
    index = KnowledgeIndex(tmp_path, HashEmbedder())
    index.sync_sections(_sections("t", "renewal", "续约"), prefix="t/")
    assert index.search("   ") == []


def test_large_indexes_are_read_and_deleted_in_pages(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Chroma refuses one query over ~32k ids; pages keep a big index openable."""
    monkeypatch.setattr("knowledge.index._READ_PAGE", 3)
    index = KnowledgeIndex(tmp_path, [HashEmbedder(), HashEmbedder()])
    sections = [
        Section(f"t/{n}.md", "Doc", "s1", f"Part {n}", "en", f"text number {n}", f"t:{n}") for n in range(10)
    ]
    index.sync_sections(sections, prefix="t/")
    reopened = KnowledgeIndex(tmp_path, [HashEmbedder(), HashEmbedder()])
    assert len(reopened) == 10
    reopened.sync_sections(sections[:2], prefix="t/")
    assert len(KnowledgeIndex(tmp_path, [HashEmbedder(), HashEmbedder()])) == 2


def test_a_question_that_looks_like_boilerplate_is_still_searched(tmp_path: Path) -> None:
    index = KnowledgeIndex(tmp_path, HashEmbedder())
    index.sync_sections(_sections("t", "follow us on the company account", "关注 公众号 的 方法"), prefix="t")
    assert index.search("Follow us", top_k=1), "a short question matching a boilerplate pattern"


def test_a_section_only_in_another_language_is_lifted_for_the_lexical_vote_it_cannot_get(
    tmp_path: Path,
) -> None:
    index = KnowledgeIndex(tmp_path, HashEmbedder())
    index.sync_sections(_sections("t", "renewal discount ladder", "续约 折扣 方案"), prefix="t/")
    only_chinese = Section("team/zh.md", "团队", "s1", "续约", "zh", "续约 谈判 要点", "team:s1")
    index.sync_sections([only_chinese], prefix="team/")
    plain = FusionConfig(other_language_lift=0.0)
    before = {
        hit.chunk.key: hit.score for hit in index.search("renewal talks", top_k=5, lang="en", fusion=plain)
    }
    after = {hit.chunk.key: hit.score for hit in index.search("renewal talks", top_k=5, lang="en")}
    assert after["team:s1"] == pytest.approx(before["team:s1"] * (1 + FusionConfig().other_language_lift))
    assert after["t:s1"] == pytest.approx(before["t:s1"]), "a section in both languages is not lifted"
    chinese = {hit.chunk.key: hit.score for hit in index.search("续约 谈判", top_k=5, lang="zh")}
    assert chinese == {
        hit.chunk.key: hit.score for hit in index.search("续约 谈判", top_k=5, lang="zh", fusion=plain)
    }


class _Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    def start(self, total: int) -> None:
        self.events.append(("start", total))

    def advance(self, source: str, sections: int) -> None:
        self.events.append((source, sections))

    def close(self) -> None:
        self.events.append(("close", None))


def test_progress_hears_only_of_the_work_there_is(tmp_path: Path) -> None:
    index = KnowledgeIndex(tmp_path, HashEmbedder())
    first = _Recorder()
    index.sync_sections(_sections("t", "renewal discount ladder", "续约 折扣"), prefix="t/", progress=first)
    assert first.events == [("start", 2), ("t/en.md", 1), ("t/zh.md", 1), ("close", None)]
    again = _Recorder()
    index.sync_sections(_sections("t", "renewal discount ladder", "续约 折扣"), prefix="t/", progress=again)
    assert again.events == [], "an unchanged playbook shows no bar"


def test_an_exact_code_finds_its_own_note_before_similar_ones(
    knowledge: KnowledgeService, tmp_path: Path
) -> None:
    """Teams search for SOP numbers and order ids: ZQX0111 is not ZQX0011. Notes written from one
    template, differing in their code, are different notes, not near-duplicates of each other."""
    notes = tmp_path / "notes"
    notes.mkdir()
    topics = ["renewal call notes", "客户培训记录", "bug triage summary", "活动复盘", "weekly sync"]
    for n in range(223):
        text = f"# Note {n}\n\n{topics[n % 5]}. Code word: ZQX{n:04d}. Nothing else here.\n"
        (notes / f"note-{n}.md").write_text(text, encoding="utf-8")
    index = KnowledgeIndex(tmp_path / "home", knowledge.answerer.index.embedders)
    ingest_paths(index, [notes])
    for query in ("ZQX0111", "zqx0011", "what is ZQX0042?", "ZQX0200 是什么"):
        [first, *_] = index.search(query, top_k=5)
        code = query.split()[-1].rstrip("?") if query.startswith("what") else query.split()[0]
        assert f"Code word: {code.upper()}." in first.chunk.body, (query, first.chunk.body)
    assert index.search("SOP-2023-017 approvals", top_k=3)  # a code held nowhere searches as usual


def test_the_catalog_lives_with_the_fast_embedder(tmp_path: Path) -> None:
    index = KnowledgeIndex(tmp_path, [SlowHash(), FastHash()])
    index.sync_sections(_sections("t", "renewal discount ladder", "续约 折扣"), prefix="t/")
    assert index._catalog.name == "chunks-test-fast"
    assert all("body" in metadata for metadata in index._catalog.get(include=["metadatas"])["metadatas"])


def test_an_index_of_the_old_layout_moves_its_catalog_once(tmp_path: Path) -> None:
    old = KnowledgeIndex(tmp_path, [SlowHashAsFirst(), FastHash()])
    old.sync_sections(_sections("t", "renewal discount ladder", "续约 折扣 方案"), prefix="t/")
    old.sync_sections(_sections("u", "weekly report template", "周报 模板"), prefix="u/")
    assert old._catalog.name == "chunks-test-slow"

    fast = FastHash()
    moved = KnowledgeIndex(tmp_path, [SlowHash(), fast])
    assert fast.embedded == 0, "vectors already in the collection are kept"
    assert len(moved) == 4
    assert set(moved.sources()) == set(old.sources())
    assert "weekly" in moved.search("weekly report", top_k=1, lang="en")[0].chunk.body

    again = FastHash()
    assert len(KnowledgeIndex(tmp_path, [SlowHash(), again])) == 4
    assert again.embedded == 0


def test_an_index_without_the_fast_embedder_gains_its_catalog(tmp_path: Path) -> None:
    KnowledgeIndex(tmp_path, [SlowHashAsFirst()]).sync_sections(
        _sections("t", "renewal discount ladder", "续约 折扣 方案"), prefix="t/"
    )
    fast = FastHash()
    index = KnowledgeIndex(tmp_path, [SlowHash(), fast])
    assert fast.embedded == 2
    assert index.search("renewal discount", top_k=1, lang="en")[0].chunk.lang == "en"


def _slow_vectors(index: KnowledgeIndex) -> set[str]:
    return set(index._collections[0].get(include=[])["ids"])


def test_deferred_slow_vectors_follow_the_commit(tmp_path: Path) -> None:
    index = KnowledgeIndex(tmp_path, [SlowHash(), FastHash()], defer_slow=True)
    index.sync_sections(_sections("t", "renewal discount ladder", "续约 折扣 方案"), prefix="t/")
    assert _slow_vectors(index) == set()
    assert index.pending == 2
    assert index.search("renewal discount", top_k=1, lang="en")[0].chunk.lang == "en", "findable at once"

    reopened = KnowledgeIndex(tmp_path, [SlowHash(), FastHash()])
    assert reopened.pending == 2, "an open notes what is owed, and computes nothing"
    assert reopened.fill_pending(limit=1) == 1
    assert reopened.fill_pending(limit=8) == 1
    assert reopened.fill_pending() == 0
    assert reopened.pending == 0
    assert _slow_vectors(reopened) == {chunk.id for chunk in reopened.chunks()}
    assert KnowledgeIndex(tmp_path, [SlowHash(), FastHash()]).pending == 0


def test_an_edit_keeps_the_slow_vectors_of_unchanged_passages(tmp_path: Path) -> None:
    index = KnowledgeIndex(tmp_path, [SlowHash(), FastHash()], defer_slow=True)
    index.sync_sections(_sections("t", "renewal discount ladder", "续约 折扣 方案"), prefix="t/")
    while index.fill_pending():
        pass
    index.sync_sections(_sections("t", "renewal discount ladder", "续约 折扣 方案 新版"), prefix="t/")
    assert index.pending == 1, "only the edited passage waits for its vector"
    assert _slow_vectors(index) == {chunk.id for chunk in index.chunks() if chunk.lang == "en"}
    index.sync_sections([], prefix="t/")
    assert index.pending == 0, "a removed source owes nothing"


def test_a_passage_lacking_its_slow_vector_is_not_outranked_for_it(tmp_path: Path) -> None:
    index = KnowledgeIndex(tmp_path, [SlowHash(), FastHash()])
    index.sync_sections(_sections("old", "renewal checklist for the team", "续约 清单"), prefix="old/")
    index.defer_slow = True
    index.sync_sections(_sections("new", "renewal discount ladder", "续约 折扣 方案"), prefix="new/")
    assert index.pending == 2
    hits = index.search("renewal discount ladder", top_k=2, lang="en")
    assert hits[0].chunk.source == "new/en.md"


def _long_and_short(index: KnowledgeIndex) -> None:
    index.sync_sections(
        [
            Section(
                "t/long.md",
                "Doc",
                "s1",
                "Discounts",
                "en",
                "zebra quantum ladder rules then much more",
                "t:1",
            ),
            Section("t/short.md", "Doc", "s2", "Tiers", "en", "client tier rules", "t:2"),
        ],
        prefix="t/",
    )


def test_a_first_pass_reads_long_passages_lead_and_short_ones_whole(tmp_path: Path) -> None:
    slow = SlowHashReadingLeads()
    index = KnowledgeIndex(tmp_path, [slow, FastHash()], defer_slow=True)
    _long_and_short(index)
    assert index.pending_unread == 2
    assert index.fill_pending(limit=8, leads_first=True) == 2
    assert index.pending_unread == 0, "the first pass is done"
    assert sorted(slow.embedded) == ["Doc › Discounts zebra quantum ladder", "Doc › Tiers\nclient tier rules"]
    assert index.pending == 1, "the long passage still owes its full vector"
    assert len(_slow_vectors(index)) == 1, "a lead vector is not taken for the full one"

    assert index.fill_pending(limit=8, leads_first=True) == 1
    assert slow.embedded[-1] == "Doc › Discounts\nzebra quantum ladder rules then much more"
    assert index.pending == 0
    assert len(index._leads[0]) == 0
    assert index.fill_pending(limit=8, leads_first=True) == 0


def test_an_edited_passage_owed_its_vector_is_not_ranked_by_the_old_texts(tmp_path: Path) -> None:
    index = KnowledgeIndex(tmp_path, [SlowHash(), FastHash()], defer_slow=True)
    index.sync_sections(
        [Section("t/a.md", "Doc", "s1", "T", "en", "renewal discount ladder", "t:1")], prefix="t/"
    )
    while index.fill_pending():
        pass
    edited = [Section("t/a.md", "Doc", "s1", "T", "en", "weekly report template", "t:1")]
    index.sync_sections(edited, prefix="t/")
    assert _slow_vectors(index) == set(), "the id is the same, the text is not"
    assert KnowledgeIndex(tmp_path, [SlowHash(), FastHash()]).pending == 1, "still owed after a restart"


def _stored_leads(index: KnowledgeIndex) -> set[str]:
    return set(index._lead_collections[0].get(include=[])["ids"])


def test_lead_vectors_outlive_a_restart_until_the_full_vectors_are_in(tmp_path: Path) -> None:
    index = KnowledgeIndex(tmp_path, [SlowHashReadingLeads(), FastHash()], defer_slow=True)
    _long_and_short(index)
    index.fill_pending(limit=8, leads_first=True)
    [long_id] = [chunk.id for chunk in index.chunks() if chunk.source == "t/long.md"]
    assert _stored_leads(index) == {long_id}

    slow = SlowHashReadingLeads()
    reopened = KnowledgeIndex(tmp_path, [slow, FastHash()], defer_slow=True)
    assert (reopened.pending, reopened.pending_unread) == (1, 0), "the first pass is not made again"
    assert long_id in reopened._leads[0]
    slow_only = FusionConfig(dense_weights=(1.0, 0.0), lexical_weight=0.0, cross_language_bonus=0.0)
    assert reopened.search("zebra quantum", top_k=1, fusion=slow_only)[0].chunk.id == long_id

    assert reopened.fill_pending(limit=8, leads_first=True) == 1
    assert slow.embedded == ["Doc › Discounts\nzebra quantum ladder rules then much more"]
    assert _stored_leads(reopened) == set(), "a full vector replaces the lead"
    assert len(KnowledgeIndex(tmp_path, [SlowHashReadingLeads(), FastHash()])._leads[0]) == 0


def test_a_lead_left_behind_by_a_crash_is_dropped_at_open(tmp_path: Path) -> None:
    index = KnowledgeIndex(tmp_path, [SlowHashReadingLeads(), FastHash()], defer_slow=True)
    _long_and_short(index)
    index.fill_pending(limit=8, leads_first=True)
    [long_id] = _stored_leads(index)
    index._lead_collections[0].delete = lambda **_: None  # type: ignore[method-assign]  # the crash
    index.fill_pending(limit=8, leads_first=True)
    assert _stored_leads(index) == {long_id}, "the full vector is written, its lead is not yet deleted"

    reopened = KnowledgeIndex(tmp_path, [SlowHashReadingLeads(), FastHash()], defer_slow=True)
    assert reopened.pending == 0 and len(reopened._leads[0]) == 0
    assert _stored_leads(reopened) == set()


def test_a_passage_owed_its_full_vector_ranks_by_its_lead_vector(tmp_path: Path) -> None:
    index = KnowledgeIndex(tmp_path, [SlowHashReadingLeads(), FastHash()], defer_slow=True)
    _long_and_short(index)
    slow_only = FusionConfig(dense_weights=(1.0, 0.0), lexical_weight=0.0, cross_language_bonus=0.0)
    assert index.search("zebra quantum", top_k=1, fusion=slow_only) == [], "no slow vector of any kind yet"
    index.fill_pending(limit=8, leads_first=True)
    hit = index.search("zebra quantum", top_k=1, fusion=slow_only)[0]
    assert hit.chunk.source == "t/long.md"
    lead = SlowHashReadingLeads().embed_passages(["Doc › Discounts zebra quantum ladder"])[0]
    expected = float(lead @ SlowHashReadingLeads().embed_query("zebra quantum"))
    assert hit.similarities[0] == pytest.approx(expected), "the question's cosine with the first words"


def test_without_leads_first_each_passage_is_embedded_once(tmp_path: Path) -> None:
    slow = SlowHashReadingLeads()
    index = KnowledgeIndex(tmp_path, [slow, FastHash()], defer_slow=True)
    _long_and_short(index)
    while index.fill_pending(limit=1):
        pass
    assert sorted(slow.embedded) == [
        "Doc › Discounts\nzebra quantum ladder rules then much more",
        "Doc › Tiers\nclient tier rules",
    ]


def test_a_source_edited_or_removed_drops_its_lead_vectors(tmp_path: Path) -> None:
    index = KnowledgeIndex(tmp_path, [SlowHashReadingLeads(), FastHash()], defer_slow=True)
    _long_and_short(index)
    index.fill_pending(limit=8, leads_first=True)
    [old] = [chunk.id for chunk in index.chunks() if chunk.source == "t/long.md"]
    assert old in index._leads[0]
    edited = "zebra quantum ladder rules rewritten at some length"
    index.sync_sections([Section("t/long.md", "Doc", "s1", "Discounts", "en", edited, "t:1")], prefix="t/")
    assert old not in index._leads[0] and index.pending_unread == 1, "the new version is read afresh"
    assert old not in _stored_leads(index)
    index.sync_sections([], prefix="t/")
    assert len(index._leads[0]) == 0 and index.pending == 0
    assert _stored_leads(index) == set()
    slow_only = FusionConfig(dense_weights=(1.0, 0.0), lexical_weight=0.0)
    assert index.search("zebra quantum", fusion=slow_only) == []


class _Meeting(FastHash):
    """Embeds a question only once the other embedders of the search are embedding it too."""

    def __init__(self, name: str, meeting: threading.Barrier) -> None:
        super().__init__()
        self.name = name
        self._meeting = meeting

    def embed_query(self, text: str) -> Vectors:
        self._meeting.wait()
        return super().embed_query(text)


def test_the_embedders_embed_a_question_side_by_side(tmp_path: Path) -> None:
    meeting = threading.Barrier(3, timeout=5)
    index = KnowledgeIndex(tmp_path, [_Meeting(f"meet-{n}", meeting) for n in range(3)])
    index.sync_sections(_sections("t", "renewal discount ladder", "续约 折扣 方案"), prefix="t/")
    hits = index.search("renewal discount", top_k=1, lang="en")  # one at a time: BrokenBarrierError
    assert hits[0].chunk.key == "t:s1"
    assert all(similarity > 0.5 for similarity in hits[0].similarities)


class _Unreachable(FastHash):
    """A remote embedder whose endpoint is down when a question comes."""

    def __init__(self) -> None:
        super().__init__()
        self.name = "unreachable"
        self.down = False

    def embed_query(self, text: str) -> Vectors:
        if self.down:
            raise EmbeddingUnavailable("endpoint answered 503")
        return super().embed_query(text)


@pytest.mark.parametrize("position", [0, 1])
def test_a_search_goes_on_without_an_unreachable_embedder(
    tmp_path: Path, position: int, caplog: pytest.LogCaptureFixture
) -> None:
    unreachable = _Unreachable()
    embedders: list[HashEmbedder] = [HashEmbedder(), FastHash()]
    embedders[position] = unreachable
    index = KnowledgeIndex(tmp_path, embedders)
    index.sync_sections(_sections("t", "renewal discount ladder", "续约 折扣 方案"), prefix="t/")
    unreachable.down = True
    hits = index.search("renewal discount", top_k=1, lang="en")
    assert hits[0].chunk.key == "t:s1"
    assert hits[0].similarities[position] == 0.0
    assert hits[0].similarities[1 - position] > 0.5
    assert "searching without the unreachable ranking: endpoint answered 503" in caplog.text
