"""Retrieval by mode on the held-out halves: BM25 alone, each embedder alone, and the fusion.

The index holds the playbook and the messy test corpus (tests/knowledge/corpus), as a team's index
would; both question sets are scored, over their "heldout" questions. The fusion's settings are
chosen elsewhere, with the relevance gate, on the tuning halves (benchmarks/joint_tuning.py). Then
the fusion right after an ingest, before the team documents' e5 vectors are computed, and with
every e5 vector owed, before and after e5's first pass (long passages ranked by their
first tokens). Last, what a user sees: how many team-document questions get an offline answer
that quotes the passage answering them, and how many are refused.
Usage: python benchmarks/retrieval_tuning.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import knowledge.index as index_module
from knowledge.answer import Answerer
from knowledge.embedders import LEAD_TOKENS, Embedder, create_embedders
from knowledge.evaluation import Question, Scores, evaluate, in_split, load_questions
from knowledge.index import KnowledgeIndex
from knowledge.ingest import ingest_paths
from knowledge.normalize import normalize_for_index
from knowledge.ranking import FusionConfig

TESTS = Path(__file__).resolve().parent.parent / "tests" / "knowledge"
SETS = {"playbook": TESTS / "playbook_questions.jsonl", "corpus": TESTS / "corpus_questions.jsonl"}


def _cells(scores: dict[str, Scores]) -> str:
    s = scores["all"]
    return f"h1={s.hit_at_1:.3f} h5={s.hit_at_5:.3f} mrr={s.mrr_at_5:.3f}"


def _row(name: str, index: KnowledgeIndex, sets: dict[str, list[Question]], fusion: FusionConfig) -> None:
    """Prints the held-out figures of one mode."""
    held_out = {label: evaluate(index, in_split(qs, "heldout"), fusion) for label, qs in sets.items()}
    line = "  ".join(f"{label}: {_cells(scores)}" for label, scores in held_out.items())
    print(f"{name:44s} held-out {line}", flush=True)


def main() -> None:
    sets = {label: load_questions(path) for label, path in SETS.items()}
    print(", ".join(f"{label}: {len(questions)} questions" for label, questions in sets.items()))
    centered, use = create_embedders("e5+usem3")  # the shipped set-up, whatever it becomes
    with tempfile.TemporaryDirectory() as home:
        started = time.perf_counter()
        index = KnowledgeIndex(Path(home), [centered, use])
        index.sync_playbook()
        ingest_paths(index, [TESTS / "corpus"])
        print(f"index build: {time.perf_counter() - started:.1f}s, {len(index)} chunks")
        none = (0.0, 0.0)
        _row("bm25 only", index, sets, FusionConfig(dense_weights=none))
        _row("e5 centered only", index, sets, FusionConfig(dense_weights=(1.0, 0.0), lexical_weight=0.0))
        _row("use-m3 only", index, sets, FusionConfig(dense_weights=(0.0, 1.0), lexical_weight=0.0))
        _row("dense only (e5 + use-m3)", index, sets, FusionConfig(lexical_weight=0.0))
        _row("fused (DEFAULT)", index, sets, FusionConfig())
        # Right after an ingest: the team documents are committed, their e5 vectors still to come.
        fresh = KnowledgeIndex(Path(home) / "fresh", [centered, use])
        fresh.sync_playbook()
        fresh.defer_slow = True
        ingest_paths(fresh, [TESTS / "corpus"])
        _row(f"fused, {fresh.pending} e5 vectors still pending", fresh, sets, FusionConfig())
        _first_pass_rows(centered, use, Path(home), sets)
        _answers(index, in_split(sets["corpus"], "heldout"))


def _first_pass_rows(centered: Embedder, use: Embedder, home: Path, sets: dict[str, list[Question]]) -> None:
    """The fusion before and after e5's first pass over what an ingest left owed (where `opsbot
    ingest` returns): each long passage ranked by e5 over its first tokens, a short one by its
    full vector. The test corpus's passages are short, so the playbook's shipped vectors are
    withheld here: its passages, about twice as long, are owed too and show what a first pass
    costs in ranking."""
    shipped = index_module.shipped_vectors
    index_module.shipped_vectors = lambda name: {}
    try:
        owed = KnowledgeIndex(home / "owed", [centered, use], defer_slow=True)
        owed.sync_playbook()
        ingest_paths(owed, [TESTS / "corpus"])
    finally:
        index_module.shipped_vectors = shipped
    _row(f"fused, all {owed.pending} e5 vectors owed", owed, sets, FusionConfig())
    while owed.pending_unread:
        owed.fill_pending(limit=64, leads_first=True)
    _row(f"  then after e5's first pass ({owed.pending} by {LEAD_TOKENS} tokens)", owed, sets, FusionConfig())


def _answers(index: KnowledgeIndex, questions: list[Question]) -> None:
    """Prints how many of the team-document `questions` the offline answer quotes an answering
    passage for (one of the question's phrases), and how many it refuses."""
    answerer = Answerer(index)
    quoted = refused = 0
    for question in questions:
        answer = answerer.answer(question.q)
        refused += not answer.found
        text = normalize_for_index(answer.text)
        quoted += answer.found and any(normalize_for_index(phrase) in text for phrase in question.any)
    print(
        f"offline answers, held-out corpus: {quoted} of {len(questions)} quote the passage that answers, "
        f"{refused} refused",
        flush=True,
    )


if __name__ == "__main__":
    main()
