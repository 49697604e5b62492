"""Ingesting documents: chunking, idempotence, near-duplicates, refusals and crash safety."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from knowledge.embedders import Vectors
from knowledge.index import MANIFEST, KnowledgeIndex
from knowledge.ingest import CHUNK_TOKEN_BUDGET, document_chunks, estimate_tokens, ingest_paths, pack
from knowledge.loaders import MAX_DOCUMENT_BYTES, load_document
from tests.fakes.documents import make_pdf
from tests.fakes.embedders import HashEmbedder

SOP = (
    "# 售后 SOP\n\n## 客诉处理\n\n收到客诉后两小时内响应客户，记录问题并判断级别。紧急问题升级到主管处理。\n"
)
TRADITIONAL_SOP = (
    "售後 SOP（轉載）\n\n收到客訴後兩小時內響應客戶，記錄問題並判斷級別。緊急問題升級到主管處理。\n"
)


def test_pack_keeps_sentences_whole_and_stays_within_the_budget() -> None:
    sentence = "客户成功经理每月做一次健康度检查并记录结果。"
    pieces = pack(sentence * 60)
    assert len(pieces) > 1
    assert all(piece.endswith("。") for piece in pieces)
    assert all(estimate_tokens(piece) <= CHUNK_TOKEN_BUDGET for piece in pieces)
    assert "".join(pieces).replace("\n", "") == sentence * 60


def test_pack_joins_sentences_as_they_were_written() -> None:
    assert pack("Done! Next step. Is it? Yes; fine.") == ["Done! Next step. Is it? Yes; fine."]
    assert pack("先做复盘。再看数据！对吗？对。") == ["先做复盘。再看数据！对吗？对。"]
    assert pack("先写待办。再看数据!有异常吗?") == ["先写待办。再看数据!有异常吗?"]


def test_pack_cuts_a_wall_of_text_without_sentence_ends() -> None:
    pieces = pack("续约" * 1000)
    assert len(pieces) > 1 and "".join(pieces) == "续约" * 1000


def test_chunks_keep_the_original_for_display_and_index_normalized_text() -> None:
    text = "客戶運(yùn)營手冊\n\n產(chǎn)品運營要每週覆盤一次數據。\n\n本文來源：客服中心"
    document = load_document("a.txt", text.encode())
    first, again = (
        document_chunks("docs/a.txt", document, "v1"),
        document_chunks("docs/a.txt", document, "v1"),
    )
    assert [c.id for c in first] == [c.id for c in again] == ["docs/a.txt#s1:0@v1"]
    # Shown in its own script, without the pinyin annotation or the source line under it.
    assert first[0].body == "產品運營要每週覆盤一次數據。"
    assert "产品运营要每周覆盘一次数据。" in first[0].text
    assert first[0].lang == "zh"


def _write(folder: Path, name: str, content: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def test_ingest_is_idempotent_and_replaces_changed_files(tmp_path: Path) -> None:
    docs = tmp_path / "team"
    _write(docs, "sop.md", SOP)
    index = KnowledgeIndex(tmp_path / "index", HashEmbedder())
    first = ingest_paths(index, [docs])
    assert (first.added, first.chunks) == (["docs/team/sop.md"], 1)
    again = ingest_paths(index, [docs])
    assert again.unchanged == ["docs/team/sop.md"] and again.chunks == 0 and again.chunks_skipped == 1
    _write(docs, "sop.md", SOP.replace("两小时", "一小时"))
    changed = ingest_paths(index, [docs])
    assert changed.updated == ["docs/team/sop.md"] and changed.chunks_updated == 1
    texts = [c.body for c in index.chunks() if c.source == "docs/team/sop.md"]
    assert texts == ["收到客诉后一小时内响应客户，记录问题并判断级别。紧急问题升级到主管处理。"]
    reopened = KnowledgeIndex(tmp_path / "index", HashEmbedder())
    assert [c.body for c in reopened.chunks()] == texts
    assert reopened.remove_source("docs/team/sop.md") == 1
    assert KnowledgeIndex(tmp_path / "index", HashEmbedder()).sources() == {}


def test_refused_files_are_reported_and_leave_nothing(tmp_path: Path) -> None:
    docs = tmp_path / "team"
    _write(docs, "sop.md", SOP)
    _write(docs, "empty.txt", "")
    _write(docs, "photo.txt", b"\x89PNG\x00\x00binary")
    index = KnowledgeIndex(tmp_path / "index", HashEmbedder())
    report = ingest_paths(index, [docs, tmp_path / "missing.md"])
    refused = {name: reason.en for name, reason in report.refused}
    assert set(refused) == {"empty.txt", "photo.txt", str(tmp_path / "missing.md")}
    assert "No such file" in refused[str(tmp_path / "missing.md")]
    assert {c.source for c in index.chunks()} == {"docs/team/sop.md"}


def test_a_converted_copy_is_found_and_shown_once(tmp_path: Path) -> None:
    docs = tmp_path / "team"
    _write(docs, "sop.md", SOP)
    _write(docs, "sop-traditional.txt", TRADITIONAL_SOP.encode("big5"))
    index = KnowledgeIndex(tmp_path / "index", HashEmbedder())
    report = ingest_paths(index, [docs])
    assert report.duplicates == 1
    hits = index.search("客诉 响应 主管", top_k=5)
    assert len([h for h in hits if "主管" in h.chunk.text]) == 1


class FailingEmbedder(HashEmbedder):
    """Fails on the `fail_on`-th batch of passages: a crash in the middle of an ingest."""

    def __init__(self, fail_on: int) -> None:
        self.calls = 0
        self.fail_on = fail_on

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        self.calls += 1
        if self.calls == self.fail_on:
            raise RuntimeError("killed mid-ingest")
        return super().embed_passages(texts)


def test_a_crash_mid_ingest_leaves_the_index_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("knowledge.index._WRITE_BATCH", 2)  # so the crash lands between two writes
    docs = tmp_path / "team"
    _write(docs, "sop.md", SOP)
    ingest_paths(KnowledgeIndex(tmp_path / "index", HashEmbedder()), [docs])
    _write(docs, "sop.md", SOP + "\n## 回访\n\n" + "问题解决后三天内回访客户。" * 80)
    crashing = KnowledgeIndex(tmp_path / "index", FailingEmbedder(fail_on=2))
    with pytest.raises(RuntimeError):
        ingest_paths(crashing, [docs])
    reopened = KnowledgeIndex(tmp_path / "index", HashEmbedder())
    assert [c.body for c in reopened.chunks()] == [
        "收到客诉后两小时内响应客户，记录问题并判断级别。紧急问题升级到主管处理。"
    ]
    assert len(reopened._collections[0].get(include=[])["ids"]) == 1, "the half-written version is gone"


def test_a_crash_after_the_commit_finishes_the_replacement_at_reopen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = tmp_path / "team"
    _write(docs, "sop.md", SOP)
    index = KnowledgeIndex(tmp_path / "index", HashEmbedder())
    ingest_paths(index, [docs])
    _write(docs, "sop.md", SOP.replace("两小时", "一小时"))

    def crash(ids: list[str]) -> None:
        raise RuntimeError("killed before the old version was deleted")

    monkeypatch.setattr(index, "_delete", crash)
    with pytest.raises(RuntimeError):
        ingest_paths(index, [docs])
    monkeypatch.undo()
    reopened = KnowledgeIndex(tmp_path / "index", HashEmbedder())
    assert [c.body for c in reopened.chunks()] == [
        "收到客诉后一小时内响应客户，记录问题并判断级别。紧急问题升级到主管处理。"
    ]
    assert len(reopened._collections[0].get(include=[])["ids"]) == 1


def test_an_index_without_a_manifest_commits_what_it_holds(tmp_path: Path) -> None:
    docs = tmp_path / "team"
    _write(docs, "sop.md", SOP)
    ingest_paths(KnowledgeIndex(tmp_path / "index", HashEmbedder()), [docs])
    (tmp_path / "index" / MANIFEST).unlink()
    reopened = KnowledgeIndex(tmp_path / "index", HashEmbedder())
    assert list(reopened.sources()) == ["docs/team/sop.md"] and len(reopened) == 1
    assert (tmp_path / "index" / MANIFEST).exists()


def test_files_that_are_not_what_their_extension_says_are_refused_and_leave_nothing(tmp_path: Path) -> None:
    docs = tmp_path / "team"
    _write(docs, "notes.txt", make_pdf([["Discounts are 50% for everyone."]]))
    _write(docs, "manual.docx", b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\n")
    _write(docs, "scan.pdf", b"<!DOCTYPE html><html><body>Sign in to Slack</body></html>")
    index = KnowledgeIndex(tmp_path / "index", HashEmbedder())
    report = ingest_paths(index, [docs])
    refused = {name: reason.en for name, reason in report.refused}
    assert set(refused) == {"notes.txt", "manual.docx", "scan.pdf"}
    assert "PDF document" in refused["notes.txt"] and "PDF document" in refused["manual.docx"]
    assert "web page" in refused["scan.pdf"]
    assert index.chunks() == [] and index.sources() == {}


def test_a_file_over_the_limit_is_refused_by_its_size_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    huge = tmp_path / "team" / "dump.txt"
    huge.parent.mkdir()
    with huge.open("wb") as stream:
        stream.truncate(MAX_DOCUMENT_BYTES + 1)  # sparse: no disk used
    opened: list[Path] = []
    real_open = Path.open

    def spying_open(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        opened.append(self)
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", spying_open)
    index = KnowledgeIndex(tmp_path / "index", HashEmbedder())
    report = ingest_paths(index, [huge.parent])
    [(name, reason)] = report.refused
    assert name == "dump.txt" and "the limit is 20 MB" in reason.en and "上限为 20 MB" in reason.zh
    assert huge not in opened
    assert index.sources() == {}


class CountingEmbedder(HashEmbedder):
    """Remembers every passage it was asked to embed."""

    def __init__(self, name: str = "test-hash") -> None:
        self.name = name
        self.embedded: list[str] = []

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        self.embedded.extend(texts)
        return super().embed_passages(texts)


def test_editing_a_document_embeds_only_the_passages_that_changed(tmp_path: Path) -> None:
    sections = [f"## Part {n}\n\nPart {n} explains renewal step {n} in detail." for n in range(6)]
    doc = tmp_path / "docs" / "handbook.md"
    doc.parent.mkdir()
    doc.write_text("# Handbook\n\n" + "\n\n".join(sections), encoding="utf-8")
    first, second = CountingEmbedder(), CountingEmbedder("test-hash-2")
    index = KnowledgeIndex(tmp_path / "index", [first, second])
    ingest_paths(index, [doc])
    assert len(first.embedded) == len(second.embedded) == 6
    first.embedded.clear()
    second.embedded.clear()

    sections[3] = "## Part 3\n\nPart 3 now covers discount offers for the renewal."
    doc.write_text("# Handbook\n\n" + "\n\n".join(sections), encoding="utf-8")
    report = ingest_paths(index, [doc])
    assert len(report.updated) == 1
    assert [len(first.embedded), len(second.embedded)] == [1, 1]
    assert "discount offers" in first.embedded[0]
    [hit] = index.search("discount offers renewal", top_k=1)
    assert "discount offers" in hit.chunk.body
    [kept] = index.search("renewal step 5 in detail", top_k=1)  # a reused vector finds its passage
    assert "step 5" in kept.chunk.body
    reopened = KnowledgeIndex(tmp_path / "index", [CountingEmbedder(), CountingEmbedder("test-hash-2")])
    assert len(reopened) == 6
