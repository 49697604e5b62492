"""`opsbot answers …` in process, on a fresh home with a few logged answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.core.config import Settings
from bot.storage.answer_log import HELPFUL, NOT_HELPFUL, AnswerLog
from bot.storage.engine import create_db_engine


@pytest.fixture
def log(cli_home: Path) -> AnswerLog:
    cli_home.mkdir(parents=True, exist_ok=True)
    answers = AnswerLog(create_db_engine(Settings().db_url))
    good = answers.record("RFM 是什么?", "zh", True, "extractive", "RFM 是…", ["RFM"], "C1", "U1")
    answers.vote(good, "U1", HELPFUL)
    bad = answers.record(
        "How do I compute LTV?", "en", True, "extractive", "RFM scores…", ["RFM"], "C1", "U2"
    )
    answers.vote(bad, "U2", NOT_HELPFUL, "Not about lifetime value")
    answers.record("直播带货的话术怎么写?", "zh", False, "none", "", [], "C1", "U3")
    return answers


def test_stats_as_json_name_the_counts_and_the_worst_questions(
    log: AnswerLog, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["answers", "stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert {k: stats[k] for k in ("answered", "helpful", "not_helpful", "unanswered")} == {
        "answered": 2,
        "helpful": 1,
        "not_helpful": 1,
        "unanswered": 1,
    }
    assert [q["question"] for q in stats["worst"]] == ["How do I compute LTV?", "直播带货的话术怎么写?"]
    assert main(["answers", "stats", "--since", "7d"]) == 0
    assert "Not about lifetime value" in capsys.readouterr().out


def test_export_writes_an_eval_file_that_asks_for_its_points(
    log: AnswerLog, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "to-fix.jsonl"
    assert main(["answers", "export", "--eval", str(target)]) == 0
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [row["q"] for row in rows] == ["How do I compute LTV?", "直播带货的话术怎么写?"]
    assert rows[0]["points"] == [] and rows[0]["reasons"] == ["Not about lifetime value"]
    assert "points" in capsys.readouterr().err
    assert main(["eval", "--answers", str(target)]) == 2, "points still to be written"
    assert "to-fix.jsonl:1" in capsys.readouterr().err


def test_delete_removes_what_was_asked_before_a_day(
    log: AnswerLog, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["answers", "delete", "--before", "2000-01-01"]) == 0
    assert "0 answers" in capsys.readouterr().out
    assert main(["answers", "delete", "--before", "2999-01-01"]) == 0
    assert "3 answers" in capsys.readouterr().out
    assert log.stats().answered == 0
    assert main(["answers", "delete", "--before", "yesterday"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert main(["answers", "stats", "--since", "a week"]) == 2
