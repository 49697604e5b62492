"""The command line, in process, against the session's playbook index."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.services import KnowledgeService


@pytest.fixture(autouse=True)
def _environment(
    clean_environment: None, monkeypatch: pytest.MonkeyPatch, playbook_home: Path, knowledge: KnowledgeService
) -> None:
    monkeypatch.setenv("OPSBOT_HOME", str(playbook_home))
    monkeypatch.setenv("OPSBOT_LOG_LEVEL", "WARNING")


def test_ask_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "客户分层", "有哪些层级?", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["found"] is True
    assert result["lang"] == "zh"
    assert result["citations"][0]["source"].startswith("playbook/zh/")
    assert "[1]" in result["answer"]


def test_ask_off_topic_exits_nonzero_with_the_reason(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "who won the world cup in 2018"]) == 1
    assert "couldn't find" in capsys.readouterr().out


def test_search_reads_queries_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("RFM 分层\n\nweekly report contents\n"))
    assert main(["search", "--top-k", "3", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["query"] for line in lines] == ["RFM 分层", "weekly report contents"]
    for line in lines:
        assert len(line["results"]) == 3
        assert set(line["results"][0]) >= {"source", "title", "text", "score"}
    assert "RFM" in lines[0]["results"][0]["text"]


def test_search_rejects_a_bad_top_k(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "x", "--top-k", "0"]) == 2
    assert "--top-k" in capsys.readouterr().err


def test_bad_setting_is_one_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OPSBOT_WORKERS", "lots")
    assert main(["ask", "hi"]) == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0
    assert "OPSBOT_WORKERS" in err
    assert "Traceback" not in err


def test_serve_without_a_token_says_what_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--http"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN" in err and "opsbot chat" in err


def test_http_serve_needs_the_signing_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-2-3")
    assert main(["serve", "--http"]) == 2
    assert "SLACK_SIGNING_SECRET" in capsys.readouterr().err


def test_no_command_without_a_token_opens_the_console(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("/ops help\nexit\n"))
    assert main([]) == 0
    assert "/ops ask" in capsys.readouterr().out


def test_funnel_table_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["funnel", "500w sales / 5% customers / 80% downloads", "--what-if", "5%->6%"]) == 0
    out = capsys.readouterr().out
    assert "125,000,000" in out and "1.25亿" in out and "What if 5% → 6%" in out
    assert main(["funnel", "check 500w sales / 5% 1000w customers / 80% 12500w downloads", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert [check["ok"] for check in payload["checks"]] == [False, False]
    assert payload["stages"][2]["value"] == 125_000_000


def test_funnel_errors_are_clear_and_exit_nonzero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["funnel", "500万 销售 / 0% 客户", "--json"]) == 2
    assert "转化率必须大于 0%" in json.loads(capsys.readouterr().out)["error"]
    assert main(["funnel", "500w sales (60% a, 60% b)"]) == 2
    err = capsys.readouterr().err
    assert "add up to 100%" in err and "Traceback" not in err


def test_rfm_json_and_spreadsheet_safe_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "orders.csv"
    source.write_text(
        "用户ID,下单日期,金额\n=HYPERLINK(1),2024-01-01,10\nB,2024-01-02,20\n@cmd,2024-01-03,30\n",
        encoding="gb18030",
    )
    out = tmp_path / "customers.csv"
    assert main(["rfm", str(source), "--json", "--out", str(out), "--as-of", "2024-01-10"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["customers"] == 3 and payload["as_of"] == "2024-01-10"
    assert set(payload["segments8"]) >= {"important_value", "general_retain"}
    exported = out.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK(1)" in exported and "'@cmd" in exported
    assert "\n=" not in exported


def test_rfm_refuses_bad_files_in_the_chosen_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("name,when\nA,1\n")
    assert main(["rfm", str(source), "--lang", "zh"]) == 2
    assert "找不到这些列" in capsys.readouterr().err
    assert main(["rfm", str(tmp_path / "missing.csv"), "--json"]) == 2
    assert "Cannot read" in json.loads(capsys.readouterr().out)["error"]
