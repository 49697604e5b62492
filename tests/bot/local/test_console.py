"""The local console drives the same Bolt app and listeners as Slack does."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from bot.local.console import Console
from bot.services import Services


@pytest.fixture
def console(services: Services) -> Iterator[Console]:
    built = Console(services.settings, services, output=io.StringIO())
    yield built
    built.close()


def test_a_question_gets_the_threaded_answer_with_sources(console: Console) -> None:
    [reply] = console.send("复盘分哪几步?")
    assert "回顾目标" in reply
    assert "来源" in reply
    calls = console.slack.calls_to("chat.postMessage")
    assert calls[0].params["thread_ts"], "the console answers in the question's thread, like Slack"


def test_slash_commands_work_as_in_slack(console: Console) -> None:
    [help_text] = console.send("/ops help")
    assert "/ops ask" in help_text
    working, answer = console.send("/ops ask how do I tier clients?")
    assert "Looking" in working
    assert "Sources" in answer
    [funnel] = console.send("/funnel 500w sales / 5% customers")
    assert "100,000,000" in funnel


def test_run_reads_lines_until_exit(services: Services) -> None:
    output = io.StringIO()
    console = Console(services.settings, services, output=output)
    try:
        console.run(io.StringIO("what is RFM?\n\nexit\nthis is never read\n"))
    finally:
        console.close()
    text = output.getvalue()
    assert "opsbot local console" in text
    assert text.count("opsbot> ") == 1
    assert "Recency" in text or "RFM" in text


def test_every_session_on_the_same_home_answers_its_first_question(services: Services) -> None:
    for _session in range(2):
        console = Console(services.settings, services, output=io.StringIO())
        try:
            [reply] = console.send("复盘分哪几步?")
        finally:
            console.close()
        assert "回顾目标" in reply


def test_bytes_the_terminal_cannot_read_get_a_note_not_a_traceback(services: Services) -> None:
    output = io.StringIO()
    console = Console(services.settings, services, output=output)
    gbk_paste = "复盘".encode("gbk")
    stdin = io.TextIOWrapper(
        io.BytesIO(gbk_paste + b" RFM?\nexit\n"), encoding="utf-8", errors="surrogateescape"
    )
    try:
        console.run(stdin)
    finally:
        console.close()
    text = output.getvalue()
    assert "UTF-8" in text
    assert text.count("opsbot> ") == 2, "the note, then the answer"


def test_an_unexpected_failure_is_one_line_with_a_reference(
    services: Services, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    output = io.StringIO()
    console = Console(services.settings, services, output=output)
    monkeypatch.setattr(console, "send", lambda line: 1 / 0)
    try:
        console.run(io.StringIO("hello\nexit\n"))
    finally:
        console.close()
    [line] = [text for text in output.getvalue().splitlines() if "opsbot> " in text]
    assert "reference" in line and "Traceback" not in output.getvalue()
    [record] = [r for r in caplog.records if "could not handle" in r.getMessage()]
    assert record.exc_info is not None and line.split("reference ")[1][:8] in record.getMessage()
