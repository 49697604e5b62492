"""`opsbot weekly`, in process: the JSON shape with exact numbers, the text, and bad input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.storage.engine import create_db_engine
from skills.schedule import parse_zone
from skills.weekly import week_start
from tests.bot.weekly.test_summary import seed_week
from tests.conftest import db_url_for


@pytest.fixture(autouse=True)
def _environment(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh home, with the summary's days counted in Shanghai."""
    monkeypatch.setenv("OPSBOT_WEEKLY_TIMEZONE", "Asia/Shanghai")


def _seeded(cli_home: Path) -> str:
    """A crafted week two weeks back; returns a day in it."""
    today = datetime.now(UTC).astimezone(parse_zone("Asia/Shanghai")).date()
    monday = week_start(today) - timedelta(days=14)
    cli_home.mkdir(parents=True, exist_ok=True)
    seed_week(create_db_engine(db_url_for(cli_home)), monday, today)
    return (monday + timedelta(days=3)).isoformat()


def test_weekly_json_for_the_week_of_a_day(cli_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    day = _seeded(cli_home)
    assert main(["weekly", "--week-of", day, "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert set(summary) >= {"week", "metrics", "feedback", "todos_done", "renewals", "draft"}
    assert summary["metrics"][0] == {
        "metric": "sales",
        "aggregation": "sum",
        "this_week": 721.0,
        "last_week": 700.0,
        "change_pct": 3.0,
        "same_week_last_month": 350.0,
        "vs_last_month_pct": 106.0,
    }
    assert summary["feedback"]["by_category"] == {"bug": 2, "complaint": 1, "how_to": 1}
    assert [(o["owner"], o["count"]) for o in summary["todos_done"]] == [("UALICE", 2), ("UBOB", 1)]
    assert [(r["client_id"], r["days"]) for r in summary["renewals"]] == [("C3", 0), ("C1", 10)]
    assert summary["draft_method"] == "template" and "Sales came to 721" in summary["draft"]


def test_weekly_text_in_chinese_and_bad_input(cli_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    day = _seeded(cli_home)
    assert main(["weekly", "--week-of", day, "--lang", "zh"]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("周报 —— ") and "销售额合计 721" in shown and "负责人 @UALICE" in shown
    assert main(["weekly", "--week-of", "someday", "--json"]) == 2
    assert "is not a date" in json.loads(capsys.readouterr().out)["error"]
    assert main(["weekly", "--week-of", "someday", "--lang", "zh"]) == 2
    assert "不是日期" in capsys.readouterr().err
    assert main(["weekly"]) == 0, "the last complete week, whatever it holds"
    assert "Weekly summary" in capsys.readouterr().out


def test_a_malformed_zone_setting_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OPSBOT_WEEKLY_TIMEZONE", "Asia/Shanghia")
    assert main(["weekly"]) == 2
    assert "OPSBOT_WEEKLY_TIMEZONE" in capsys.readouterr().err


def test_the_weekly_summary_lists_every_open_goal(cli_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    day = _seeded(cli_home)
    monday = week_start(datetime.fromisoformat(day).date())
    period = [
        "--from",
        (monday - timedelta(days=7)).isoformat(),
        "--to",
        (monday + timedelta(days=20)).isoformat(),
    ]
    assert (
        main(
            ["goal", "add", "Big sales", "--metric", "sales", "--target", "1亿", "--owner", "UALICE", *period]
        )
        == 0
    )
    assert main(["goal", "add", "Small sales", "--metric", "sales", "--target", "10", *period]) == 0
    capsys.readouterr()
    assert main(["weekly", "--week-of", day, "--json"]) == 0
    goals = json.loads(capsys.readouterr().out)["goals"]
    assert [(g["name"], g["on_track"], g["as_of"]) for g in goals] == [
        ("Big sales", False, (monday + timedelta(days=6)).isoformat()),
        ("Small sales", True, (monday + timedelta(days=6)).isoformat()),
    ]
    assert main(["weekly", "--week-of", day]) == 0
    assert "Goals (behind pace first)" in capsys.readouterr().out
