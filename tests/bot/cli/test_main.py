"""The command line, in process, against the session's playbook index."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.answers.service import KnowledgeService
from bot.cli import owners
from bot.cli.main import main
from knowledge.index import KnowledgeIndex


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


def test_funnel_what_if_inline_as_in_slack(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["funnel", "500w sales / 5% customers / 80% downloads what-if 5%->6%", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["what_if"]["change"] and [stage["name"] for stage in payload["stages"]][-1] == "downloads"
    assert main(["funnel", "500万 销售 / 5% 客户 假如 5%->6%"]) == 0
    assert "5% → 6%" in capsys.readouterr().out
    assert main(["funnel", "500w sales / 5% customers what-if 5%->6%", "--what-if", "5%->7%"]) == 2
    assert "once" in capsys.readouterr().err


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


CLIENTS = (
    "客户编号,客户名称,订单金额,企业规模,毛利率,产品数,合作年限,转介绍数,品牌,逾期天数,增长率\n"
    "A01,华星科技,120万,3000,42%,4,6,3,上市,0,25%\n"
    "A02,@北辰,500万,20000,38%,6,9,6,世界500强,45,35%\n"
    "A03,小蚂蚁工作室,3万,12,15%,1,1,0,无,0,-5%\n"
)


def test_tier_text_answers_in_the_language_of_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "clients.csv"
    source.write_text(CLIENTS, encoding="gb18030")
    assert main(["tier", str(source)]) == 0
    out = capsys.readouterr().out
    assert "3 位客户" in out and "KA 大客户: 1 (33%)" in out
    assert "⚠ @北辰: 逾期 45 天,等级封顶为普通客户" in out


def test_tier_json_export_and_chart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "clients.csv"
    source.write_text(CLIENTS, encoding="utf-8")
    out, chart = tmp_path / "tiers.csv", tmp_path / "tiers.png"
    assert main(["tier", str(source), "--json", "--out", str(out), "--chart", str(chart)]) == 0
    payload = json.loads(capsys.readouterr().out)
    first = payload["clients"][0]
    assert (first["id"], first["score"], first["tier"]) == ("A02", 91.5, "regular")
    assert first["flags"] == ["overdue"] and first["uncapped_tier"] == "ka"
    assert payload["tiers"] == {"ka": 1, "regular": 1, "small_micro": 1}
    assert "'@北辰" in out.read_text(encoding="utf-8-sig")
    assert chart.read_bytes().startswith(b"\x89PNG")


def test_tier_weights_file_and_its_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "clients.csv"
    source.write_text(CLIENTS, encoding="utf-8")
    weights = tmp_path / "weights.yaml"
    weights.write_text("weights:\n  order_amount: 100\ntiers: {ka: 90, regular: 50}\n", encoding="utf-8")
    assert main(["tier", str(source), "--weights", str(weights), "--json"]) == 0
    scores = {c["id"]: c["score"] for c in json.loads(capsys.readouterr().out)["clients"]}
    assert scores == {"A01": 90.0, "A02": 100.0, "A03": 0.0}
    weights.write_text("weights:\n  order_amount: 60\n  margin: 40\n", encoding="utf-8")
    assert main(["tier", str(source), "--weights", str(weights), "--json"]) == 2
    assert "是不是 'gross_margin'" in json.loads(capsys.readouterr().out)["error"]  # the file is Chinese


def test_tier_print_config_is_a_valid_starting_point(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tier", "--print-config"]) == 0
    copy = tmp_path / "mine.yaml"
    copy.write_text(capsys.readouterr().out, encoding="utf-8")
    source = tmp_path / "clients.csv"
    source.write_text(CLIENTS, encoding="utf-8")
    assert main(["tier", str(source), "--weights", str(copy), "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["clients"]) == 3


def test_tier_without_a_file_says_what_to_give(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tier"]) == 2
    assert "opsbot tier clients.csv" in capsys.readouterr().err


def test_funnel_and_rfm_charts_are_written_whole(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    chart = tmp_path / "funnel.png"
    assert main(["funnel", "500w sales / 5% customers / 80% downloads", "--chart", str(chart)]) == 0
    assert chart.read_bytes().startswith(b"\x89PNG")
    source = tmp_path / "orders.csv"
    source.write_text("customer,date,amount\nA,2024-01-01,10\nB,2024-01-03,30\n", encoding="utf-8")
    assert main(["rfm", str(source), "--chart", str(tmp_path / "missing-dir" / "rfm.png")]) == 2
    assert "Cannot write" in capsys.readouterr().err
    assert not list(tmp_path.glob("**/.*.partial"))


@pytest.fixture
def own_index(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, quiet_playbook_home: Path) -> Path:
    """An index of the test's own, so documents added here do not reach other tests."""
    import shutil

    home = tmp_path / "home"
    shutil.copytree(quiet_playbook_home / "chroma", home / "chroma")
    monkeypatch.setenv("OPSBOT_HOME", str(home))
    return home


LONG_ESCALATION = (
    "An escalation starts when a key account reports an outage that blocks its daily work, or when a "
    "complaint stays unresolved for more than two working days. The account owner opens the escalation "
    "ticket within one hour, names the affected users and the business impact, and sets up a shared "
    "channel with the client's main contact. Engineering gives a first assessment within four hours and "
    "an update every business day until the fix ships. The customer success director decides on a "
    "service credit once the cause is known, and the account owner writes the review with the lessons "
    "learned within a week of the fix, sharing it with the client and the product team."
)
"""One passage longer than e5's first pass reads whole, so its full vector follows."""


def _pressed_ctrl_c(*_: object, **__: object) -> int:
    raise KeyboardInterrupt


def test_ingest_sources_forget(
    tmp_path: Path, own_index: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    docs = tmp_path / "team"
    docs.mkdir()
    (docs / "sop.md").write_text("# 售后 SOP\n\n## 回访\n\n问题解决后三天内回访客户。\n", encoding="utf-8")
    (docs / "locked.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    assert main(["ingest", str(docs), "--json"]) == 1  # a refused file makes the exit status 1
    report = json.loads(capsys.readouterr().out)
    assert report["added"] == ["docs/team/sop.md"]
    assert report["chunks"] == {"added": 1, "updated": 0, "skipped": 0}
    assert report["refused"][0]["file"] == "locked.docx" and "password" in report["refused"][0]["reason"]
    assert report["pending_vectors"] == 0 and report["searchable_seconds"] <= report["seconds"]
    assert main(["ingest", "team/sop.md"]) == 0
    summary = capsys.readouterr().out
    assert "1 unchanged" in summary and "1 skipped" in summary  # one name, however the file is given
    (docs / "faq.md").write_text("# FAQ\n\n## 退款\n\n退款在七个工作日内原路退回。\n", encoding="utf-8")
    assert main(["ingest", "team/faq.md", "--later"]) == 0
    assert "e5 vectors still to compute: 1 passage." in capsys.readouterr().out
    assert main(["ask", "退款多久到账?", "--json"]) == 0, "searchable before its e5 vector is there"
    assert "七个工作日" in json.loads(capsys.readouterr().out)["answer"]
    assert main(["ingest", "team/faq.md", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["pending_vectors"] == 0, "the next ingest completes it"
    (docs / "escalation.md").write_text(f"# Escalation\n\n## Tiers\n\n{LONG_ESCALATION}\n", encoding="utf-8")
    assert main(["ingest", "team/escalation.md", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["pending_vectors"] == report["ranked_by_first_words"] == 1, "its full vector follows"
    assert main(["ask", "Who decides on a service credit during an escalation?", "--json"]) == 0
    assert "customer success director" in json.loads(capsys.readouterr().out)["answer"]
    assert main(["ingest", "team/escalation.md"]) == 0
    assert "ranked by its first words meanwhile" in capsys.readouterr().out
    assert main(["sources"]) == 0
    assert (
        "e5 vectors still to compute: 1 passage. Each is ranked by its first words" in capsys.readouterr().out
    )
    assert main(["ingest", "team/escalation.md", "--complete", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["pending_vectors"] == 0
    (docs / "escalation-credits.md").write_text(
        f"# Escalation\n\n## Credits\n\n{LONG_ESCALATION}\n", encoding="utf-8"
    )
    assert main(["ingest", "team/escalation-credits.md", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["pending_vectors"] == 1
    questions = tmp_path / "questions.jsonl"
    questions.write_text(
        '{"q": "Who decides on a service credit?", "any": ["service credit"]}\n', encoding="utf-8"
    )
    with monkeypatch.context() as interrupted:
        interrupted.setattr(KnowledgeIndex, "fill_pending", _pressed_ctrl_c)
        assert main(["eval", str(questions), "--json"]) == 2
        assert "no figures" in json.loads(capsys.readouterr().out)["error"], (
            "not those of a ranking half done"
        )
    assert main(["eval", str(questions), "--json"]) == 0
    assert "computing the e5 vectors still owed first (1 passage)" in capsys.readouterr().err
    assert main(["ingest", "team/escalation-credits.md", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["pending_vectors"] == 0, "eval measured the complete index"
    assert main(["sources"]) == 0
    listing = capsys.readouterr().out
    assert "docs/team/sop.md  1 chunk  " in listing and "playbook/zh/" in listing
    assert main(["forget", "docs/team/sop"]) == 2
    assert "Did you mean: docs/team/sop.md" in capsys.readouterr().err
    assert main(["forget", "docs/team/sop.md"]) == 0
    assert main(["forget", "playbook/zh/01-daily-routine.md"]) == 2
    assert "cannot be forgotten" in capsys.readouterr().err


def test_a_workspace_on_the_command_line_sees_its_own_documents_only(
    tmp_path: Path, own_index: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plan.md").write_text(
        "# 华东调整\n\n## 时间表\n\n华东仓储团队三月并入华南大区，涉及四十二名员工。\n", encoding="utf-8"
    )
    monkeypatch.setenv("OPSBOT_WORKSPACE", "T1")
    assert main(["ingest", "plan.md", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["added"] == ["docs/plan.md"]
    assert main(["ask", "华东仓储团队什么时候并入华南大区?", "--json"]) == 0
    assert "四十二名员工" in json.loads(capsys.readouterr().out)["answer"]
    assert main(["sources"]) == 0
    assert "docs/plan.md  1 chunk  " in capsys.readouterr().out

    monkeypatch.setenv("OPSBOT_WORKSPACE", "T2")
    main(["ask", "华东仓储团队什么时候并入华南大区?", "--json"])
    assert "四十二名员工" not in capsys.readouterr().out
    assert main(["sources"]) == 0
    assert "plan.md" not in capsys.readouterr().out
    assert main(["forget", "docs/plan.md"]) == 2  # not T2's to forget

    monkeypatch.delenv("OPSBOT_WORKSPACE")
    assert main(["sources"]) == 0
    assert "T1/docs/plan.md  1 chunk, only in T1" in capsys.readouterr().out
    monkeypatch.setenv("OPSBOT_WORKSPACE", "t1; rm")
    assert main(["sources"]) == 2
    assert "OPSBOT_WORKSPACE" in capsys.readouterr().err


def test_eval_prints_each_mode_by_language(
    tmp_path: Path, own_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"q": "复盘分哪几步", "any": ["复盘"]}\n{"q": "how do I run a retrospective", "any": ["retrospective"]}\n',
        encoding="utf-8",
    )
    assert main(["eval", str(questions), "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert set(results) == {"bm25", "dense", "fused"}
    assert results["fused"]["zh"]["n"] == 1 and results["fused"]["en"]["n"] == 1
    questions.write_text('{"question": "no q field"}\n', encoding="utf-8")
    assert main(["eval", str(questions)]) == 2
    assert "q.jsonl:1" in capsys.readouterr().err


def test_eval_scores_answers_by_key_points_next_to_retrieval(
    tmp_path: Path, own_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    points = tmp_path / "points.jsonl"
    points.write_text(
        '{"q": "复盘有哪几步?", "points": [["回顾目标"], ["评估结果"]], "split": "tune"}\n'
        '{"q": "How do I bake bread?", "points": [["flour"]], "split": "heldout"}\n',
        encoding="utf-8",
    )
    retrieval = tmp_path / "q.jsonl"
    retrieval.write_text('{"q": "复盘分哪几步", "any": ["复盘"]}\n', encoding="utf-8")
    assert main(["eval", str(retrieval), "--answers", str(points), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["fused"]["all"]["n"] == 1
    answers = report["answers"]["all"]
    assert {key: answers[key] for key in ("n", "coverage", "complete", "refused")} == {
        "n": 2,
        "coverage": 0.5,
        "complete": 1,
        "refused": 1,
    }
    assert answers["cited"] >= 1 and 0 <= answers["idle_share"] < 1  # the retrospective's steps are cited
    assert main(["eval", "--answers", str(points), "--split", "heldout"]) == 0
    out = capsys.readouterr().out
    assert "1 answer questions (heldout)" in out and "How do I bake bread?: refused" in out
    assert "idle: share of the cited sources" in out
    assert "hit@1" not in out
    assert main(["eval"]) == 2
    assert "--answers" in capsys.readouterr().err
    points.write_text('{"q": "why?", "points": "flour"}\n', encoding="utf-8")
    assert main(["eval", "--answers", str(points)]) == 2
    assert "points.jsonl:1" in capsys.readouterr().err


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    environment = {**os.environ, "OPSBOT_HOME": str(tmp_path / "home")}
    command = [sys.executable, "-m", "bot.cli.main", "tier", "--print-config"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader leaves before opsbot writes, as `| head -1` does
    errors = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0
    assert errors == ""


def test_an_unexpected_error_is_one_line_with_a_reference_and_the_traceback_is_logged(
    cli_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(settings: object, args: object) -> int:
        raise RuntimeError("a bug deep inside")

    monkeypatch.setattr(owners, "run_todo", broken)
    assert main(["todo", "list", "--owner", "U1"]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("opsbot: `opsbot todo` failed unexpectedly (reference ")
    reference = line.split("reference ")[1][:8]
    logged = (cli_home / "logs" / "opsbot.log").read_text(encoding="utf-8")
    assert reference in logged and "RuntimeError: a bug deep inside" in logged and "Traceback" in logged


def test_the_indexing_bar_stays_quiet_off_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli.output import IndexingBar

    bar = IndexingBar()
    bar.start(3)
    bar.advance("playbook/zh/09-client-tiers.md", 2)
    bar.close()
    assert capsys.readouterr().err == "", "stderr is not a terminal under test (a pipe, a log): no bar"
