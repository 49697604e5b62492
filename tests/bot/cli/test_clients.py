"""`opsbot clients import|list` and `opsbot renewal`, in process, on a fresh home."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.fakes.openai_server import FakeOpenAI

TODAY = date(2026, 11, 27)
ROSTER = (
    "id,name,arr,contract_end,owner,company_size,gross_margin,product_lines,years,referrals,brand,"
    "overdue_days,growth_pct,key_contact_changed,competitor_pressure\n"
    "C1,Acme Corp,500000,2027-02-25,U0ACME1,2000,45%,4,3,2,listed,0,15%,yes,Rival offered 20% off\n"
    "C2,Beta Ltd,80000,2027-01-10,U0BETA1,50,30%,1,1,0,none,45,-5%,no,\n"
)


@pytest.fixture(autouse=True)
def _home(cli_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "clients.csv").write_text(ROSTER, encoding="utf-8")
    rows = ["date,metric,value,client"]
    for back in range(1, 91):
        rows.append(f"{TODAY - timedelta(days=back)},active_users,{60 if back <= 30 else 100},C1")
    (tmp_path / "usage.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["clients", "import", str(tmp_path / "clients.csv")]) == 0
    assert main(["metrics", "import", str(tmp_path / "usage.csv")]) == 0
    capsys.readouterr()


def test_import_twice_updates_and_lists(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["clients", "import", str(tmp_path / "clients.csv"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"clients": 2, "added": 0, "updated": 2, "warnings": []}
    assert main(["clients", "list", "--json"]) == 0
    assert [c["id"] for c in json.loads(capsys.readouterr().out)] == ["C2", "C1"]


def test_a_bad_roster_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.csv").write_text("id,name,contract_end\nC1,Renamed,2027-01-01\nC9,New,someday\n")
    assert main(["clients", "import", str(tmp_path / "bad.csv")]) == 2
    assert "line(s) 3" in capsys.readouterr().err
    assert main(["clients", "list", "--json"]) == 0
    assert {c["name"] for c in json.loads(capsys.readouterr().out)} == {"Acme Corp", "Beta Ltd"}


def test_the_renewal_brief_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["renewal", "acme", "--date", TODAY.isoformat(), "--json"]) == 0
    brief = json.loads(capsys.readouterr().out)
    assert brief["client"]["id"] == "C1" and brief["days_to_renewal"] == 90 and brief["tier"] == "ka"
    assert [r["code"] for r in brief["risks"]] == [
        "key_contact_changed",
        "competitor_pressure",
        "usage_decline",
    ]
    health = brief["health"]
    assert [r["code"] for r in health["reasons"]] == ["usage_decline", "key_contact_changed", "renewal_soon"]
    assert (health["score"], health["status"]) == (
        100 - round(sum(r["points"] for r in health["reasons"])),
        "yellow",
    )
    assert "usage_decline" not in json.dumps(brief["draft"]), "health is internal: not in the client's draft"
    [usage] = brief["usage"]
    assert (usage["last_30_days_avg"], usage["previous_60_days_avg"], usage["change_pct"]) == (
        60.0,
        100.0,
        -40.0,
    )
    assert max(o["discount_pct"] for o in brief["discount_options"]) == 15.0
    assert "2027-02-25" in brief["draft"] and brief["draft_method"] == "template"


def test_an_unknown_client_gets_the_closest_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["renewal", "Acne Crop"]) == 2
    assert "There is no client 'Acne Crop'. Did you mean: Acme Corp?" in capsys.readouterr().err


def test_a_team_policy_and_the_defaults_to_copy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["renewal", "--print-policy"]) == 0
    assert "ceilings:" in capsys.readouterr().out
    (tmp_path / "policy.yaml").write_text("ceilings:\n  ka: 8\n", encoding="utf-8")
    assert (
        main(
            [
                "renewal",
                "C1",
                "--date",
                TODAY.isoformat(),
                "--json",
                "--policy",
                str(tmp_path / "policy.yaml"),
            ]
        )
        == 0
    )
    assert max(o["discount_pct"] for o in json.loads(capsys.readouterr().out)["discount_options"]) == 8.0
    (tmp_path / "policy.yaml").write_text("ceilings:\n  ka: 80\n", encoding="utf-8")
    assert main(["renewal", "C1", "--policy", str(tmp_path / "policy.yaml")]) == 2
    assert "from 0 to 50" in capsys.readouterr().err


def test_the_chart_and_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    chart = tmp_path / "usage.png"
    assert main(["renewal", "C1", "--date", TODAY.isoformat(), "--lang", "zh", "--chart", str(chart)]) == 0
    assert chart.read_bytes().startswith(b"\x89PNG")
    text = capsys.readouterr().out
    assert "续约简报: Acme Corp" in text and "距续约 90 天" in text and "[usage_decline]" in text


def test_the_llm_polish_is_checked_against_the_facts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = FakeOpenAI()
    monkeypatch.setenv("OPENAI_BASE_URL", fake.start())
    try:
        fake.reply = "Hello Acme Corp team, your contract renews on 2027-02-25. Shall we meet for 30 minutes?"
        assert main(["renewal", "C1", "--date", TODAY.isoformat(), "--json"]) == 0
        polished = json.loads(capsys.readouterr().out)
        assert (polished["draft_method"], polished["draft"]) == ("llm", fake.reply)
        fake.reply = "Hello Acme Corp team, renew by 2027-02-25 and we give you 12% off."
        assert main(["renewal", "C1", "--date", TODAY.isoformat(), "--json"]) == 0
        rejected = json.loads(capsys.readouterr().out)
        assert rejected["draft_method"] == "template" and "12%" not in rejected["draft"]
    finally:
        fake.stop()
