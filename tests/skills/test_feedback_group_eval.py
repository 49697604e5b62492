from __future__ import annotations

from pathlib import Path

import pytest

from skills.feedback_group_eval import GroupSetError, group_in_order, load_labelled_reports, pair_scores
from skills.feedback_groups import Report

SET = Path(__file__).parent / "feedback_group_set.jsonl"


def test_the_shipped_set_is_large_mixed_and_split_by_whole_problems() -> None:
    reports = load_labelled_reports(SET)
    assert len(reports) >= 60
    sizes: dict[str, int] = {}
    splits: dict[str, set[str]] = {}
    for report in reports:
        sizes[report.group] = sizes.get(report.group, 0) + 1
        splits.setdefault(report.group, set()).add(report.split)
    assert sum(size >= 3 for size in sizes.values()) >= 12
    assert any(size == 1 for size in sizes.values())
    assert all(len(halves) == 1 for halves in splits.values())  # no pair crosses the halves
    assert {r.split for r in reports} == {"tune", "heldout"}


def test_pair_scores_count_pairs() -> None:
    # a a b | grouped as 1 1 1: one right pair of three grouped; the one labelled pair found
    scores = pair_scores(["a", "a", "b"], [1, 1, 1])
    assert (scores.precision, scores.recall, scores.groups) == (pytest.approx(1 / 3), 1.0, 1)
    apart = pair_scores(["a", "a", "b"], [1, 2, 3])
    assert (apart.precision, apart.recall) == (1.0, 0.0)


def test_reports_are_grouped_in_filing_order() -> None:
    reports = [
        Report.of(0, 0, "Export to Excel fails with error 500"),
        Report.of(1, 1, "The invoice has the wrong company name"),
        Report.of(2, 2, "Exporting to excel gives error 500 since today"),
    ]
    assert group_in_order(reports) == [0, 1, 0]


@pytest.mark.parametrize(
    "line",
    [
        '{"text": "x"}',
        '{"group": "a"}',
        '{"text": " ", "group": "a"}',
        '{"text": "x", "group": "a", "split": "test"}',
        "[1]",
        "{",
    ],
)
def test_a_bad_line_is_named(tmp_path: Path, line: str) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text('{"text": "fine", "group": "a"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(GroupSetError) as raised:
        load_labelled_reports(path)
    assert f"{path}:2" in raised.value.message("en") and f"{path}:2" in raised.value.message("zh")


def test_an_empty_or_binary_file_is_refused(tmp_path: Path) -> None:
    empty, binary = tmp_path / "empty.jsonl", tmp_path / "binary.jsonl"
    empty.write_text("\n", encoding="utf-8")
    binary.write_bytes("导出".encode("gbk"))
    for path in (empty, binary):
        with pytest.raises(GroupSetError):
            load_labelled_reports(path)
