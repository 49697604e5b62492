"""The background thread that computes the vectors a slow embedder still owes."""

from __future__ import annotations

import time
from pathlib import Path

from knowledge.backfill import Backfill
from knowledge.documents import Section
from knowledge.index import KnowledgeIndex
from tests.fakes.embedders import FastHash, SlowHash, SlowHashReadingLeads


def _index(tmp_path: Path, slow: SlowHash | None = None) -> KnowledgeIndex:
    index = KnowledgeIndex(tmp_path, [slow or SlowHash(), FastHash()], defer_slow=True)
    sections = [
        Section(f"t/{n}.md", "Doc", "s1", f"Part {n}", "en", f"renewal step number {n}", f"t:{n}")
        for n in range(9)
    ]
    index.sync_sections(sections, prefix="t/")
    assert index.pending == 9
    return index


def _filled_in_the_background(index: KnowledgeIndex) -> None:
    backfill = Backfill(index, batch=2, quiet_seconds=0.0)
    backfill.start()
    try:
        deadline = time.monotonic() + 10
        while index.pending and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        backfill.stop()


def test_the_owed_vectors_are_filled_in_the_background(tmp_path: Path) -> None:
    index = _index(tmp_path)
    _filled_in_the_background(index)
    assert index.pending == 0
    assert len(index._collections[0].get(include=[])["ids"]) == 9


def test_long_passages_are_first_read_at_their_start_then_whole(tmp_path: Path) -> None:
    slow = SlowHashReadingLeads()
    index = _index(tmp_path, slow)
    _filled_in_the_background(index)
    assert index.pending == 0 and len(index._leads[0]) == 0
    texts = sorted(chunk.text for chunk in index.chunks())
    assert sorted(slow.embedded[:9]) == sorted(slow.leading_part(text) for text in texts), "starts first"
    assert sorted(slow.embedded[9:]) == texts, "then each passage whole"


def test_no_vector_is_computed_while_people_are_asking(tmp_path: Path) -> None:
    index = _index(tmp_path)
    index.search("renewal step")
    backfill = Backfill(index, quiet_seconds=60.0)
    backfill.start()
    time.sleep(0.3)
    backfill.stop()
    assert index.pending == 9
