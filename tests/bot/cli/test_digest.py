"""`opsbot digest`, in process: to-dos, imported metrics and filed feedback in one digest."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.cli.main import main


@pytest.fixture(autouse=True)
def _environment(cli_home: Path) -> None:
    """Every test here runs on a fresh home."""


def test_digest_json_for_a_local_day(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    weekly = (130, 110, 100, 100, 105, 55, 45)
    last = date(2026, 11, 22)
    rows = ["date,metric,value"]
    for back in range(70, -1, -1):
        day = last - timedelta(days=back)
        rows.append(f"{day},销售额,{weekly[day.weekday()] * 100 + back % 5}")
    rows[-1] = f"{last},销售额,2000"
    (tmp_path / "m.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["metrics", "import", str(tmp_path / "m.csv")]) == 0
    assert main(["todo", "add", "--owner", "U1", "call", "Acme"]) == 0
    assert main(["feedback", "add", "We reported the sync bug two weeks ago and nobody got back to us"]) == 0
    capsys.readouterr()
    today = date.today().isoformat()
    assert main(["digest", "--owner", "U1", "--date", "2026-11-23", "--json"]) == 0
    digest = json.loads(capsys.readouterr().out)
    assert digest["owner"] == "U1" and digest["date"] == "2026-11-23"
    assert digest["todos"] == [{"id": 1, "text": "call Acme", "done": False}]
    [sales] = digest["metrics"]
    assert (sales["metric"], sales["anomaly"], sales["direction"]) == ("sales", True, "down")
    assert main(["digest", "--owner", "U1", "--date", today, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["feedback"]["by_category"] == {"complaint": 1}
    assert main(["digest", "--owner", "U1", "--date", "someday"]) == 2
    assert "--date" in capsys.readouterr().err


def test_demo_fills_an_empty_home_once_and_shows_a_real_digest(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--lang", "en"]) == 0
    shown = capsys.readouterr().out
    assert "Good morning" in shown and "Today's to-dos" in shown
    assert shown.count("⚠") == 2, "the two planted anomalies"
    assert "New feedback: 7" in shown
    assert main(["demo"]) == 2
    assert "已经有数据" in capsys.readouterr().err
    risks = {}
    for client in ("华星科技", "Acme", "Beta Retail"):
        assert main(["renewal", client, "--json"]) == 0
        risks[client] = [risk["code"] for risk in json.loads(capsys.readouterr().out)["risks"]]
    assert risks == {
        "华星科技": ["key_contact_changed", "usage_decline"],
        "Acme": ["competitor_pressure"],
        "Beta Retail": ["overdue_payment"],
    }


def test_send_delivers_once_per_day(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.local.slack_api import LocalSlack
    from tests.conftest import BOT_TOKEN

    slack = LocalSlack()
    monkeypatch.setenv("SLACK_API_BASE_URL", slack.start())
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    try:
        assert main(["todo", "add", "--owner", "U1", "call", "Acme"]) == 0
        assert main(["digest", "--owner", "U1", "--date", "2026-11-23", "--send"]) == 0
        assert "sent to U1" in capsys.readouterr().err
        assert main(["digest", "--owner", "U1", "--date", "2026-11-23", "--send"]) == 0
        assert "already sent to U1 for 2026-11-23" in capsys.readouterr().err
        [dm] = slack.calls_to("chat.postMessage")
        assert dm.params["channel"] == "U1" and "call Acme" in json.dumps(dm.params["blocks"])
    finally:
        slack.stop()


def test_the_digest_lists_the_owners_goals_behind_pace_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    start = date(2026, 11, 1)
    rows = ["date,metric,value"]
    for offset in range(22):  # 1..22 November
        day = start + timedelta(days=offset)
        rows += [f"{day},sales,100", f"{day},new_customers,10"]
    (tmp_path / "m.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["metrics", "import", str(tmp_path / "m.csv")]) == 0
    period = ["--from", "2026-11-01", "--to", "2026-11-30"]
    assert (
        main(["goal", "add", "Nov sales", "--metric", "sales", "--target", "3000", "--owner", "U1", *period])
        == 0
    )
    assert (
        main(
            [
                "goal",
                "add",
                "Nov sign-ups",
                "--metric",
                "new_customers",
                "--target",
                "600",
                "--owner",
                "U1",
                *period,
            ]
        )
        == 0
    )
    assert (
        main(
            ["goal", "add", "Someone else's", "--metric", "sales", "--target", "1", "--owner", "U2", *period]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["digest", "--owner", "U1", "--date", "2026-11-23", "--json"]) == 0
    goals = json.loads(capsys.readouterr().out)["goals"]
    assert [goal["name"] for goal in goals] == ["Nov sign-ups", "Nov sales"], "behind pace first"
    assert goals[0]["on_track"] is False and goals[0]["pace_pct"] == 50.0 and goals[0]["days_left"] == 8
    assert goals[1]["on_track"] is True and goals[1]["actual"] == 2200
    assert main(["digest", "--owner", "U1", "--date", "2026-11-23"]) == 0
    shown = capsys.readouterr().out
    assert "Goals:\n  Nov sign-ups: New customers 220 of 600 (50% of pace, behind" in shown


def test_the_digest_lists_the_owners_clients_that_are_red_or_slipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    day = date(2026, 12, 1)
    (tmp_path / "clients.csv").write_text(
        "id,name,arr,contract_end,owner,overdue_days,key_contact_changed\n"
        "C1,Acme Corp,500000,2027-12-31,U1,0,no\n"
        "C2,Beta Ltd,80000,2027-12-31,U1,0,yes\n"
        "C3,Gamma,80000,2027-12-31,U2,90,yes\n",
        encoding="utf-8",
    )
    assert main(["clients", "import", str(tmp_path / "clients.csv")]) == 0
    assert main(["owners", "set", "U1"]) == 0
    capsys.readouterr()
    assert main(["digest", "--owner", "U1", "--date", str(day), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["clients_at_risk"] == [], (
        "all green, and U2's client is not U1's"
    )

    rows = ["date,metric,value,client"]
    for back in range(1, 92):
        rows.append(
            f"{day - timedelta(days=back) + timedelta(days=1)},active_users,{40 if back <= 30 else 100},C2"
        )
    (tmp_path / "usage.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["metrics", "import", str(tmp_path / "usage.csv")]) == 0
    capsys.readouterr()
    next_day = day + timedelta(days=1)
    assert main(["digest", "--owner", "U1", "--date", str(next_day), "--json"]) == 0
    [slipped] = json.loads(capsys.readouterr().out)["clients_at_risk"]
    assert (slipped["client"], slipped["status"], slipped["status_before"]) == ("C2", "yellow", "green")
    assert slipped["reasons"][0]["code"] == "usage_decline"
    assert main(["digest", "--owner", "U1", "--date", str(next_day)]) == 0
    assert (
        "Clients to look at:\n  🟡 Beta Ltd (C2) 55, was green: Active users down 60%"
        in capsys.readouterr().out
    )
