"""`opsbot goal add|list|status|close`, in process, on a fresh home."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.cli.main import main

START = date(2027, 1, 4)  # a Monday
ROSTER = "id,name,arr,contract_end,owner\nC1,Acme Corp,500000,2027-06-30,U0ACME1\n"


@pytest.fixture(autouse=True)
def _home(cli_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = ["date,metric,value,client"]
    for back in range(56, 0, -1):  # eight weeks of weekday-only sales before the period
        day = START - timedelta(days=back)
        rows.append(f"{day},sales,{0 if day.weekday() >= 5 else 1000},")
    for offset in range(7):  # the first week: on pace
        day = START + timedelta(days=offset)
        rows.append(f"{day},sales,{0 if day.weekday() >= 5 else 1000},")
        rows.append(f"{day},active_users,400,C1")
    (tmp_path / "metrics.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "clients.csv").write_text(ROSTER, encoding="utf-8")
    assert main(["metrics", "import", str(tmp_path / "metrics.csv")]) == 0
    assert main(["clients", "import", str(tmp_path / "clients.csv")]) == 0
    capsys.readouterr()


def _add(*extra: str) -> int:
    return main(["goal", "add", *extra])


def test_goals_are_added_and_their_pace_reported(capsys: pytest.CaptureFixture[str]) -> None:
    end = str(START + timedelta(days=27))
    assert _add("Jan sales", "--metric", "sales", "--target", "2万", "--from", str(START), "--to", end) == 0
    assert (
        _add(
            "Acme usage",
            "--metric",
            "active_users",
            "--target",
            "500",
            "--from",
            str(START),
            "--to",
            end,
            "--client",
            "acme corp",
            "--owner",
            "<@U0ACME1|ann>",
        )
        == 0
    )
    capsys.readouterr()
    assert main(["goal", "status", "--date", str(START + timedelta(days=6)), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    by_name = {goal["name"]: goal for goal in report["goals"]}
    sales = by_name["Jan sales"]
    assert {
        "name",
        "metric",
        "target",
        "actual",
        "expected",
        "pace_pct",
        "projected",
        "on_track",
        "days_left",
    } <= set(sales)
    assert (sales["target"], sales["actual"], sales["expected"], sales["projected"]) == (
        20000,
        5000,
        5000,
        20000,
    )
    assert sales["on_track"] is True and sales["days_left"] == 21 and sales["expected_by"] == "weekday"
    usage = by_name["Acme usage"]
    assert (usage["actual"], usage["on_track"], usage["client"], usage["owner"]) == (
        400,
        False,
        "C1",
        "U0ACME1",
    )
    assert main(["goal", "status", "Jan sales", "--date", str(START + timedelta(days=6))]) == 0
    assert "Jan sales: Sales 5,000 of 20,000 (100% of pace, on track" in capsys.readouterr().out

    assert main(["goal", "close", "jan sales"]) == 0
    assert main(["goal", "list", "--json"]) == 0
    assert [goal["name"] for goal in json.loads(capsys.readouterr().out.splitlines()[-1])] == ["Acme usage"]
    assert main(["goal", "list", "--all", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (
            ["--metric", "sale", "--target", "1", "--from", "2027-01-04", "--to", "2027-01-31"],
            "Did you mean: sales",
        ),
        (["--metric", "sales", "--target", "0", "--from", "2027-01-04", "--to", "2027-01-31"], "above zero"),
        (
            ["--metric", "sales", "--target", "abc", "--from", "2027-01-04", "--to", "2027-01-31"],
            "Expected an amount",
        ),
        (
            ["--metric", "sales", "--target", "1", "--from", "2027-01-31", "--to", "2027-01-04"],
            "before it starts",
        ),
        (
            ["--metric", "sales", "--target", "1", "--from", "2027-01-04", "--to", "31/01"],
            "--to must be a date",
        ),
        (
            [
                "--metric",
                "sales",
                "--target",
                "1",
                "--from",
                "2027-01-04",
                "--to",
                "2027-01-31",
                "--client",
                "Acne",
            ],
            "Did you mean: Acme Corp",
        ),
        (
            [
                "--metric",
                "sales",
                "--target",
                "1",
                "--from",
                "2027-01-04",
                "--to",
                "2027-01-31",
                "--owner",
                "ann",
            ],
            "Slack user id",
        ),
    ],
)
def test_bad_goals_are_refused_and_nothing_is_saved(
    arguments: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _add("Q1", *arguments) == 2
    assert said in capsys.readouterr().err
    assert main(["goal", "list", "--all", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_a_duplicate_name_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    goal = ["--metric", "sales", "--target", "1", "--from", "2027-01-04", "--to", "2027-01-31"]
    assert _add("Q1", *goal) == 0
    assert _add("q1", *goal) == 2
    assert "already a goal called 'q1'" in capsys.readouterr().err
    assert main(["goal", "status", "Q2"]) == 2
    assert "Did you mean: Q1" in capsys.readouterr().err
