"""`opsbot todo …` and `opsbot owners …`, in process, on a fresh home."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.main import main


@pytest.fixture(autouse=True)
def _environment(clean_environment: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OPSBOT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OPSBOT_LOG_LEVEL", "WARNING")
    monkeypatch.setenv("OPSBOT_DEFAULT_TIMEZONE", "Asia/Shanghai")


def test_todos_for_an_owner_the_command_line_creates(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["todo", "add", "--owner", "U1", "call", "Acme"]) == 0
    assert main(["todo", "add", "--owner", "U1", "检查昨天的数据"]) == 0
    assert main(["todo", "done", "1"]) == 0
    capsys.readouterr()
    assert main(["todo", "list", "--owner", "U1", "--json"]) == 0
    [open_item] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (open_item["id"], open_item["text"], open_item["done"]) == (2, "检查昨天的数据", False)
    assert main(["owners", "list", "--json"]) == 0
    [owner] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (owner["owner"], owner["tz"], owner["digest_at"]) == ("U1", "Asia/Shanghai", "09:00")


def test_reading_an_unknown_owner_says_so_and_signs_nobody_up(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["digest", "--owner", "UNOBODY"]) == 2
    assert "Nobody is yet" in capsys.readouterr().err
    assert main(["todo", "add", "--owner", "UALICE", "call Acme"]) == 0
    capsys.readouterr()
    assert main(["digest", "--owner", "UALICF"]) == 2
    assert capsys.readouterr().err == "opsbot: UALICF is not an owner. Did you mean UALICE?\n"
    assert main(["todo", "list", "--owner", "UBOB", "--json"]) == 2
    assert "not an owner" in json.loads(capsys.readouterr().out)["error"]
    assert main(["owners", "list", "--json"]) == 0
    assert [json.loads(line)["owner"] for line in capsys.readouterr().out.splitlines()] == ["UALICE"]


def test_owner_settings_are_checked_and_nothing_changes_on_a_mistake(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert (
        main(["owners", "set", "U2", "--tz", "America/New_York", "--at", "8.30", "--days", "mon,wed,fri"])
        == 0
    )
    changed = json.loads(capsys.readouterr().out)
    assert (changed["tz"], changed["digest_at"], changed["working_days"]) == (
        "America/New_York",
        "08:30",
        [0, 2, 4],
    )
    assert main(["owners", "set", "U2", "--tz", "Asia/Shanghia", "--at", "07:00"]) == 2
    assert "Did you mean Asia/Shanghai" in capsys.readouterr().err
    assert main(["owners", "set", "U2", "--pause", "--snooze-until", "2026-12-01"]) == 0
    paused = json.loads(capsys.readouterr().out)
    assert (paused["digest_at"], paused["paused"], paused["snoozed_until"]) == ("08:30", True, "2026-12-01")
    assert main(["owners", "set", "U2", "--resume"]) == 0
    resumed = json.loads(capsys.readouterr().out)
    assert (resumed["paused"], resumed["snoozed_until"]) == (False, None)
    assert main(["todo", "done", "42"]) == 2
    assert "no to-do #42" in capsys.readouterr().err


def test_setting_an_owner_without_options_signs_them_up_with_the_defaults(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["owners", "set", "U9"]) == 0
    owner = json.loads(capsys.readouterr().out)
    assert (owner["owner"], owner["digest_at"], owner["paused"]) == ("U9", "09:00", False)
