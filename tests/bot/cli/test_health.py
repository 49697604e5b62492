"""`opsbot health`, in process: scores from the roster, usage and filed feedback; bad settings."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.cli.main import main

TODAY = date.today()
ROSTER = (
    "id,name,arr,contract_end,owner,overdue_days,key_contact_changed\n"
    f"C1,Acme Corp,500000,{TODAY + timedelta(days=300)},U0ACME1,0,no\n"
    f"C2,华星科技,80000,{TODAY + timedelta(days=45)},U0HX1,40,yes\n"
)


@pytest.fixture(autouse=True)
def _home(cli_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "clients.csv").write_text(ROSTER, encoding="utf-8")
    rows = ["date,metric,value,client"]
    for back in range(1, 91):
        day = TODAY - timedelta(days=back)
        rows.append(f"{day},active_users,100,C1")
        rows.append(f"{day},active_users,{50 if back <= 30 else 100},C2")
    (tmp_path / "usage.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["clients", "import", str(tmp_path / "clients.csv")]) == 0
    assert main(["metrics", "import", str(tmp_path / "usage.csv")]) == 0
    capsys.readouterr()


def test_health_scores_every_client_worst_first_with_reasons(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["feedback", "add", "导出报表一直报错 500,已经三天了", "--customer", "华星科技有限公司"]) == 0
    capsys.readouterr()
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    assert main(["health", "--date", tomorrow, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    first, second = report["clients"]
    assert (first["client"], first["status"]) == ("C2", "red")
    codes = [reason["code"] for reason in first["reasons"]]
    assert set(codes) == {
        "usage_decline",
        "complaints",
        "overdue_payment",
        "key_contact_changed",
        "renewal_soon",
    }
    assert all(reason["evidence"] for reason in first["reasons"])
    assert (second["client"], second["score"], second["status"], second["reasons"]) == (
        "C1",
        100,
        "green",
        [],
    )
    assert main(["health", "--date", tomorrow, "--lang", "zh"]) == 0
    shown = capsys.readouterr().out
    assert shown.splitlines()[0].startswith("🔴") and "关键联系人已更换" in shown


def test_settings_print_and_bad_settings_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["health", "--print-config"]) == 0
    assert "usage_decline:" in capsys.readouterr().out
    (tmp_path / "bad.yaml").write_text("bands: {green: 40, yellow: 60}\n", encoding="utf-8")
    assert main(["health", "--weights", str(tmp_path / "bad.yaml")]) == 2
    assert "yellow ≤ green" in capsys.readouterr().err
    assert main(["health", "--weights", str(tmp_path / "missing.yaml")]) == 2
    assert "cannot be read" in capsys.readouterr().err
    assert main(["health", "--date", "tomorrow"]) == 2
