"""The local console drives the same Bolt app and listeners as Slack does."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.text import Text

from bot.local.console import Console
from bot.local.prompt import TerminalLines
from bot.services import Services


@pytest.fixture
def console(services: Services) -> Iterator[Console]:
    """A console on the session's index, which other tests share: what a test adds to it (a learned
    document, a saved retro) is forgotten afterwards."""
    before = {record.source for record in services.knowledge.sources()}
    built = Console(services.settings, services, output=io.StringIO())
    yield built
    built.close()
    for source in {record.source for record in services.knowledge.sources()} - before:
        services.knowledge.forget(source)


def test_a_question_gets_the_threaded_answer_with_sources(console: Console) -> None:
    [reply] = console.send("复盘分哪几步?")
    assert "回顾目标" in reply
    assert "来源" in reply
    calls = console.slack.calls_to("chat.postMessage")
    assert calls[0].params["thread_ts"], "the console answers in the question's thread, like Slack"


def test_the_session_is_one_conversation_so_a_follow_up_follows_on(console: Console) -> None:
    console.send("复盘有哪几步?")
    [reply] = console.send("那第二步具体要看什么?")
    assert "评估结果" in reply and "复盘" in reply
    assert "那第二步" not in reply, "the person's own words are not echoed back"
    [other] = console.send("客户分层怎么做?")
    assert "分层" in other and "评估结果" not in other, "a new topic stands on its own"


def test_an_answer_can_be_rated_by_typing_the_number_of_its_thumb(console: Console) -> None:
    [reply] = console.send("复盘分哪几步?")
    assert "👍" in reply and "👎" in reply
    thumb = next(
        n for n, choice in enumerate(console._choices, start=1) if choice.button["value"].startswith("up:")
    )
    replies = console.send(str(thumb))
    assert any("谢谢" in reply for reply in replies), replies
    assert console.services.answers.stats().helpful == 1


def test_slash_commands_work_as_in_slack(console: Console) -> None:
    [help_text] = console.send("/ops help")
    assert "/ops ask" in help_text
    working, answer = console.send("/ops ask how do I tier clients?")
    assert "Looking" in working
    assert "Sources" in answer
    [funnel] = console.send("/funnel 500w sales / 5% customers")
    assert "100,000,000" in funnel


def test_a_subcommand_typed_as_a_command_of_its_own_runs_under_ops(console: Console) -> None:
    [help_text] = console.send("/HELP")
    assert "/ops ask" in help_text


def test_a_command_opsbot_does_not_have_gets_a_note_in_the_askers_language(
    console: Console, caplog: pytest.LogCaptureFixture
) -> None:
    [note] = console.send("/weather paris")
    assert note.startswith("/weather isn't an opsbot command")
    assert "/ops help" in note
    [note] = console.send("/天气 明天北京")
    assert note.startswith("没有 /天气 这个命令")
    [note] = console.send("/tmp/no-such-orders.csv rfm")
    assert note == "There is no file at /tmp/no-such-orders.csv. Check the path, or drag the file in."
    assert not console.slack.calls_to("chat.postMessage"), "nothing reached the app"
    assert "Unhandled" not in caplog.text


@pytest.mark.parametrize("leave", ["exit", "/quit", "/EXIT", "退出"])
def test_run_ends_on_any_word_for_leaving(services: Services, leave: str) -> None:
    output = io.StringIO()
    console = Console(services.settings, services, output=output)
    try:
        console.run(io.StringIO(f"{leave}\nthis is never read\n"))
    finally:
        console.close()
    assert "opsbot> " not in output.getvalue()


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
    monkeypatch.setattr(console, "exchange", lambda line: 1 / 0)
    try:
        console.run(io.StringIO("hello\nexit\n"))
    finally:
        console.close()
    [line] = [text for text in output.getvalue().splitlines() if "opsbot> " in text]
    assert "reference" in line and "Traceback" not in output.getvalue()
    [record] = [r for r in caplog.records if "could not handle" in r.getMessage()]
    assert record.exc_info is not None and line.split("reference ")[1][:8] in record.getMessage()


class _Typed:
    """A person at the prompt: each item is a line, or an exception (Ctrl-C) raised while typing."""

    def __init__(self, *typed: str | BaseException) -> None:
        self.typed = list(typed)

    def read(self, prompt: str) -> str | None:
        if not self.typed:
            return None  # Ctrl-D
        item = self.typed.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item


def test_ctrl_c_cancels_the_line_or_the_answer_and_ctrl_d_leaves(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = io.StringIO()
    console = Console(services.settings, services, output=output)
    real_exchange = console.exchange
    answers = iter([KeyboardInterrupt(), None])

    def exchange(line: str) -> list[Text]:
        if (interrupt := next(answers)) is not None:
            raise interrupt
        return real_exchange(line)

    monkeypatch.setattr(console, "exchange", exchange)
    try:
        console.run(_Typed(KeyboardInterrupt(), "复盘分哪几步?", "复盘分哪几步?"))  # type: ignore[arg-type]
    finally:
        console.close()
    text = output.getvalue()
    assert "^C" in text and "Cancelled." in text
    assert "回顾目标" in text, "the console goes on after both interruptions"


def test_the_terminal_prompt_keeps_its_history_in_the_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    typed = iter(["what is RFM?"])

    def fake_input(prompt: str) -> str:
        try:
            return next(typed)
        except StopIteration:
            raise EOFError from None

    monkeypatch.setattr("builtins.input", fake_input)
    history = tmp_path / "home" / "console_history"
    lines = TerminalLines(history)
    assert lines.read("you> ") == "what is RFM?"
    assert lines.read("you> ") is None
    assert history.exists()


def test_buttons_are_numbered_choices_and_typing_a_number_presses_one(console: Console) -> None:
    [card] = console.send("/ops feedback 导出按钮点了没反应,报错500 客户:华星科技")
    assert "[1] " in card and "type a number" in card
    assert ":beetle:" not in card and "<@" not in card
    chosen = next(choice for choice in console._choices if "how_to" in choice.button["value"])
    number = console._choices.index(chosen) + 1
    replies = console.send(str(number))
    assert any("操作问题" in reply or "How-to" in reply for reply in replies), replies
    [item] = console.services.feedback.store.items()
    assert item.category == "how_to"


def test_files_are_given_by_path_and_a_folder_runs_once_per_file(console: Console, tmp_path: Path) -> None:
    orders = tmp_path / "my orders.csv"
    orders.write_text(
        "customer,date,amount\nA,2024-01-01,10\nB,2024-01-02,20\nA,2024-01-05,30\n", encoding="utf-8"
    )
    replies = console.send(f"/ops rfm '{orders}' as-of 2024-01-10")
    assert any("RFM" in reply and "2 customers" in reply for reply in replies), replies
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "sop.md").write_text("# 售后 SOP\n\n## 退款\n\n退款要在三天内处理完。\n", encoding="utf-8")
    (docs / "faq.md").write_text("# FAQ\n\n## Export\n\nExports run every night.\n", encoding="utf-8")
    before = {record.source for record in console.services.knowledge.sources()}
    console.send(f"/ops learn {docs}/")
    learned = {record.source for record in console.services.knowledge.sources()} - before
    assert {source.rsplit("/", 1)[-1] for source in learned} == {"faq.md", "sop.md"}, learned


def test_a_file_dragged_into_the_prompt_is_shared_in_the_dm(console: Console, tmp_path: Path) -> None:
    clients = tmp_path / "clients.csv"
    clients.write_text(
        "client_id,name,order_amount,company_size,gross_margin,products,years,referrals,brand,overdue_days,growth\n"
        "C1,Acme,1200000,500,30,2,3,0,listed,0,10\nC2,Beta,80000,20,25,1,1,1,none,0,0\n",
        encoding="utf-8",
    )
    replies = console.send(f"'{clients}' tier")
    assert any("Acme" in reply or "tier" in reply.lower() for reply in replies), replies
    assert console.slack.files, "the file was shared with the bot"


class _Answering:
    """Lines for the prompt, and for a form's fields an answer chosen by the field's label."""

    def __init__(self, lines: list[str], fields: list[str]) -> None:
        self.lines, self.fields, self.asked = lines, fields, []  # type: ignore[var-annotated]

    def read(self, prompt: str) -> str | None:
        if prompt.startswith("  "):  # a form's field
            self.asked.append(prompt)
            return self.fields.pop(0) if self.fields else ""
        return self.lines.pop(0) if self.lines else None


def test_a_retro_is_written_through_its_form_field_by_field(console: Console) -> None:
    answers = _Answering(
        ["/ops retro"],
        ["双十一复盘", "", "目标 GMV 500万", "实际 GMV 420万", "预热晚了", "下次提前两周预热"],
    )
    console.run(answers)  # type: ignore[arg-type]
    text = console.output.getvalue()  # type: ignore[attr-defined]
    assert [prompt.split(":")[0].strip() for prompt in answers.asked] == [
        "Title (optional)",
        "1. Review the goal",
        "1. Review the goal",
        "2. Evaluate the result",
        "3. Analyse the causes",
        "4. Summarize the lessons",
    ]
    assert "This field is required" in text
    assert "下次提前两周预热" in text and "retro #1" in text


def test_a_form_can_be_cancelled_and_nothing_is_saved(console: Console) -> None:
    answers = _Answering(["/ops retro"], ["cancel"])
    console.run(answers)  # type: ignore[arg-type]
    assert "Form cancelled; nothing was saved." in console.output.getvalue()  # type: ignore[attr-defined]


def test_the_client_roster_is_imported_by_path(console: Console, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "id,name,arr,contract_end,owner\nC1,Acme,500000,2027-02-25,ULOCALUSER\n", encoding="utf-8"
    )
    replies = console.send(f"/ops clients {roster}")
    assert any("Imported 1 client:" in reply for reply in replies), replies


def test_a_menu_option_is_picked_by_typing_its_number(console: Console) -> None:
    picked: list[str] = []
    options = [{"text": {"type": "plain_text", "text": tier}, "value": tier} for tier in ("KA", "A", "B")]

    @console.app.command("/pick")
    def offer(ack) -> None:  # type: ignore[no-untyped-def]
        menu = {"type": "static_select", "action_id": "pick_tier", "options": options}
        ack(
            blocks=[
                {
                    "type": "section",
                    "block_id": "tier",
                    "text": {"type": "mrkdwn", "text": "*Tier?*"},
                    "accessory": menu,
                }
            ]
        )

    @console.app.action("pick_tier")
    def pick(ack, body) -> None:  # type: ignore[no-untyped-def]
        ack()
        action = body["actions"][0]
        picked.append(f"{action['block_id']}:{action['selected_option']['value']}")

    [menu] = console.send("/pick")
    assert menu == "Tier?\n  [1] KA  [2] A  [3] B   (type a number to pick)"
    console.send("2")
    assert picked == ["tier:A"]
