"""`opsbot feedback …` in process, on a fresh home."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from bot.cli.main import main


@pytest.fixture(autouse=True)
def _environment(cli_home: Path) -> None:
    """Every test here runs on a fresh home."""


def test_classify_one_text_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["feedback", "classify", "导出报表一直报错500", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["text"] == "导出报表一直报错500" and result["category"] == "bug"
    assert 0 < result["confidence"] <= 1 and "报错" in result["deciding_words"]


def test_classify_reads_one_message_per_line_and_flags_empty_lines(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("Thanks, all good now!\n\n希望能支持导出PDF\n"))
    assert main(["feedback", "classify", "--json"]) == 2
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line.get("category") for line in lines] == ["other", None, "feature_request"]
    assert "no feedback text" in lines[1]["error"] and "opsbot feedback add" in lines[1]["error"]
    assert {"text", "category", "confidence"} <= set(lines[0])


def test_add_list_status_and_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["feedback", "add", "Export to Excel fails with error 500", "--customer", "Acme"]) == 0
    assert (
        main(["feedback", "add", "=exporting to excel gives error 500 again", "--customer", "Beta", "--json"])
        == 0
    )
    out = capsys.readouterr().out
    added = json.loads(out.splitlines()[-1])
    assert added["category"] == "bug" and added["group_size"] == 2
    assert main(["feedback", "status", "1", "done"]) == 0
    assert main(["feedback", "list", "--status", "done", "--json"]) == 0
    [listed] = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert (listed["id"], listed["customer"], listed["status"]) == (1, "Acme", "done")
    target = tmp_path / "feedback.csv"
    assert main(["feedback", "export", str(target)]) == 0
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 3 and rows[1][5].startswith("'=exporting")


def test_bad_input_is_one_line_and_exit_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["feedback", "add", "   "]) == 2
    hint = capsys.readouterr().err
    assert "no feedback text" in hint and "`opsbot feedback add " in hint and "/ops" not in hint
    assert main(["feedback", "status", "42", "done"]) == 2
    assert "no feedback #42" in capsys.readouterr().err
    assert main(["feedback", "list", "--since", "soon"]) == 2
    assert "--since" in capsys.readouterr().err
    assert main(["feedback", "list", "--category", "bugz"]) == 2
    assert "Unknown category" in capsys.readouterr().err


def test_eval_scores_grouping_on_a_labelled_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    labelled = tmp_path / "labelled.jsonl"
    lines = [
        {"text": "导出报表报错500", "group": "export"},
        {"text": "Exporting the report fails with error 500", "group": "export"},
        {"text": "希望增加夜间模式", "group": "dark"},
        {"text": "Any plans for a dark mode?", "group": "dark"},
        {"text": "The Android app crashes on launch", "group": "crash"},
    ]
    labelled.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines), encoding="utf-8")
    assert main(["feedback", "eval", str(labelled), "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["reports"] == 5 and scores["pairs_labelled"] == 2
    assert 0.0 <= scores["precision"] <= 1.0 and scores["groups"] >= 3
    assert main(["feedback", "eval", str(labelled)]) == 0
    assert "pairwise precision" in capsys.readouterr().out


def test_eval_refuses_a_missing_or_malformed_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["feedback", "eval", str(tmp_path / "none.jsonl")]) == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x"}\n', encoding="utf-8")
    assert main(["feedback", "eval", str(bad)]) == 2
    assert f"{bad}:1" in capsys.readouterr().err


def test_merge_split_and_regroup_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    for text in (
        "Export to Excel fails with error 500",
        "The invoice has the wrong company name",
        "导出报表报错500",
    ):
        assert main(["feedback", "add", text]) == 0
    capsys.readouterr()
    assert main(["feedback", "merge", "1", "2"]) == 0
    assert "#2 now in the group of #1: 3 items" in capsys.readouterr().out  # #3 joined #1 by meaning
    assert main(["feedback", "split", "2"]) == 0
    assert "#2 is now a group of its own" in capsys.readouterr().out
    assert main(["feedback", "regroup", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "merges and splits made by people kept" in out and "#2 would move" not in out
    assert main(["feedback", "merge", "1", "42"]) == 2
    assert "no feedback #42" in capsys.readouterr().err
