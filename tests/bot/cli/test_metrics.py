"""`opsbot metrics import` and `opsbot metrics check`, in process, on a fresh home."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.cli.main import main


@pytest.fixture(autouse=True)
def _environment(clean_environment: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OPSBOT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OPSBOT_LOG_LEVEL", "WARNING")


def _csv(tmp_path: Path, rows: list[str], name: str = "metrics.csv") -> str:
    path = tmp_path / name
    path.write_text("date,metric,value\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return str(path)


def _history(last: date, weeks: int = 9) -> list[str]:
    weekly = (130, 110, 100, 100, 105, 55, 45)
    rows = []
    for back in range(weeks * 7, -1, -1):
        day = last - timedelta(days=back)
        rows.append(f"{day},sales,{weekly[day.weekday()] * 100 + back % 3}")
        rows.append(f"{day},active_users,{weekly[day.weekday()] * 10 + back % 2}")
    return rows


def test_import_then_check_finds_the_planted_drop(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    last = date(2026, 11, 22)
    rows = _history(last)
    rows[-2] = f"{last},sales,2000"  # a Sunday at 2000 instead of about 4500
    assert main(["metrics", "import", _csv(tmp_path, rows), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["metrics"] == ["active_users", "sales"] and summary["to"] == "2026-11-22"
    assert main(["metrics", "check", "--date", "2026-11-22", "--json"]) == 0
    checks = {r["metric"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert checks["sales"]["anomaly"] is True and checks["sales"]["direction"] == "down"
    assert checks["sales"]["change_pct"] < -50
    assert checks["active_users"]["anomaly"] is False and checks["active_users"]["direction"] is None
    assert set(checks["sales"]) == {
        "metric",
        "value",
        "baseline",
        "change_pct",
        "anomaly",
        "direction",
        "holiday",
    }


def test_a_bad_file_imports_nothing_and_a_reimport_replaces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["metrics", "import", _csv(tmp_path, ["2026-11-20,sales,100"])]) == 0
    bad = _csv(tmp_path, ["2026-11-21,sales,100", "2026-11-22,sales,lots"], "bad.csv")
    assert main(["metrics", "import", bad]) == 2
    assert "Nothing was imported" in capsys.readouterr().err
    assert main(["metrics", "import", _csv(tmp_path, ["2026-11-20,sales,150"], "again.csv"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["replaced"] == 1
    assert main(["metrics", "check", "--date", "2026-11-21"]) == 0
    assert "sales\tno value" in capsys.readouterr().out
    assert main(["metrics", "check", "--date", "2026-11-20"]) == 0
    assert "not enough history" in capsys.readouterr().out
