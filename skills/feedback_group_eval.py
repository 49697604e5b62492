"""How well feedback is grouped, against a labelled file: pairwise precision and recall.

A labelled file is JSON lines, one report each: {"text": "…", "group": "export-500"} with an
optional "split" ("tune" or "heldout": only tune reports may be used to choose a setting) and an
optional "kind" (the report's category, when the file knows it). Reports sharing a "group" label
raise the same problem. The reports are grouped in the file's order, as if filed one after another;
a pair of reports counts for precision when they ended in one group, for recall when they should.
"""

from __future__ import annotations

import itertools
import json
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from skills.errors import SkillError
from skills.feedback_groups import Earlier, Report, best_group


@dataclass(frozen=True)
class LabelledReport:
    text: str
    group: str
    split: str = "heldout"
    kind: str = ""


@dataclass(frozen=True)
class PairScores:
    precision: float
    recall: float
    pairs_predicted: int
    pairs_labelled: int
    groups: int
    """How many groups the reports ended in."""

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "pairs_predicted": self.pairs_predicted,
            "pairs_labelled": self.pairs_labelled,
            "groups": self.groups,
        }


class GroupSetError(SkillError):
    """A labelled line that cannot be used; the message names the line, in both languages."""


def load_labelled_reports(path: Path) -> list[LabelledReport]:
    """The reports of a JSON-lines file; GroupSetError names the first bad line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise GroupSetError(f"{path}: not UTF-8 text.", f"{path}:不是 UTF-8 文本。") from None
    reports = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            reports.append(_report(line, f"{path}:{number}"))
    if not reports:
        raise GroupSetError(f"{path}: no reports in the file.", f"{path}:文件里没有反馈。")
    return reports


def _report(line: str, where: str) -> LabelledReport:
    bad = GroupSetError(
        f'{where}: expected {{"text": "…", "group": "…"}}, with "split" tune or heldout when given',
        f'{where}:应为 {{"text": "…", "group": "…"}};"split" 如有须为 tune 或 heldout',
    )
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        raise bad from None
    if not isinstance(record, dict):
        raise bad
    text, group = record.get("text"), record.get("group")
    split, kind = record.get("split", "heldout"), record.get("kind", "")
    if not (isinstance(text, str) and text.strip() and isinstance(group, str | int)):
        raise bad
    if split not in ("tune", "heldout") or not isinstance(kind, str):
        raise bad
    return LabelledReport(text.strip(), str(group), split, kind)


def group_in_order(reports: Sequence[Report]) -> list[int]:
    """The group each report ends in when they are filed one after another, in this order."""
    earlier = Earlier()
    groups = []
    for report in reports:
        found = best_group(report, earlier)
        group = found[0] if found else report.key
        earlier.add(replace(report, group=group))
        groups.append(group)
    return groups


def pair_scores(labels: Sequence[str], groups: Sequence[int]) -> PairScores:
    """Pairwise precision and recall of `groups` against `labels` (both in filing order)."""
    labelled = predicted = both = 0
    for first, second in itertools.combinations(range(len(labels)), 2):
        same_label = labels[first] == labels[second]
        same_group = groups[first] == groups[second]
        labelled += same_label
        predicted += same_group
        both += same_label and same_group
    return PairScores(
        both / predicted if predicted else 1.0,
        both / labelled if labelled else 1.0,
        predicted,
        labelled,
        len(set(groups)),
    )


def mean_pair_scores(
    reports: Sequence[Report], labels: Sequence[str], orders: int = 10
) -> tuple[float, float]:
    """Mean pairwise precision and recall over `orders` shuffled filing orders (seeded, so the
    same on every run): grouping depends on which report came first."""
    precision, recall = [], []
    for seed in range(orders):
        order = list(range(len(reports)))
        random.Random(seed).shuffle(order)
        scores = pair_scores([labels[i] for i in order], group_in_order([reports[i] for i in order]))
        precision.append(scores.precision)
        recall.append(scores.recall)
    return statistics.fmean(precision), statistics.fmean(recall)
