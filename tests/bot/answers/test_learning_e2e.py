"""Teaching opsbot from Slack: admins add documents (DM or `/ops learn`), everyone else is told who can."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest

from bot.answers.learning import SLACK_SOURCE_PREFIX
from bot.local.slack_api import LocalSlack
from tests.bot.conftest import Running
from tests.conftest import SIGNING_SECRET, make_settings
from tests.fakes.documents import encrypt_pdf, make_pdf
from tests.fakes.slack_requests import send_command, send_event

HANDBOOK = (
    "# 大促值班手册\n\n原文链接: https://wiki.example.com/oncall\n\n"
    "## 值班安排\n\n大促当天客服值班从早上八点到凌晨两点，分三班轮换，每班至少两名资深客服。\n"
)


@pytest.fixture
def learning(running: Running) -> Iterator[Running]:
    """The session index is shared: documents added here are removed afterwards."""
    running.slack.admins.add("UADMIN")
    yield running
    for record in running.services.knowledge.sources():
        if record.source.startswith(SLACK_SOURCE_PREFIX):
            running.services.knowledge.forget(record.source)


def _dm_with_file(file: dict, user: str, text: str = "", ts: str = "1700000200.000100") -> dict:  # type: ignore[type-arg]
    return {
        "type": "message",
        "subtype": "file_share",
        "channel_type": "im",
        "channel": "D777",
        "user": user,
        "text": text,
        "ts": ts,
        "files": [file],
    }


def _posts(slack: LocalSlack, count: int) -> list[str]:
    assert slack.wait_for(lambda s: len(s.calls_to("chat.postMessage")) >= count, timeout=60)
    return [json.dumps(call.params, ensure_ascii=False) for call in slack.calls_to("chat.postMessage")]


def _progress_then_summary(slack: LocalSlack) -> tuple[str, str]:
    """The thread's one reply: what it said while reading, and what it says once done (the same
    message, edited)."""
    assert slack.wait_for(lambda s: s.calls_to("chat.postMessage") and s.calls_to("chat.update"), timeout=60)
    [progress] = slack.calls_to("chat.postMessage")
    [summary] = slack.calls_to("chat.update")
    assert f"{summary.params['channel']}:{summary.params['ts']}" in slack.messages  # the reply edited
    return (
        json.dumps(progress.params, ensure_ascii=False),
        json.dumps(summary.params, ensure_ascii=False),
    )


def _answer_in_dm(learning: Running, text: str, ts: str, event_id: str) -> str:
    """Someone asks in a DM after a document was added: the answer, once its reply is complete
    (the learning summary is the first edit, the answer the second)."""
    question = {
        "type": "message",
        "channel_type": "im",
        "channel": "D777",
        "user": "U123",
        "text": text,
        "ts": ts,
    }
    send_event(learning.events_url, SIGNING_SECRET, question, event_id)
    assert learning.slack.wait_for(lambda s: len(s.calls_to("chat.update")) >= 2, timeout=60)
    return json.dumps(learning.slack.calls_to("chat.update")[-1].params, ensure_ascii=False)


def test_an_admin_adds_a_document_in_a_dm_and_it_answers_with_a_citation(learning: Running) -> None:
    file = learning.slack.add_file("值班手册.md", HANDBOOK.encode(), user="UADMIN", channel="D777")
    send_event(learning.events_url, SIGNING_SECRET, _dm_with_file(file, "UADMIN"), "Ev-learn-1")
    progress, summary = _progress_then_summary(learning.slack)
    assert "正在阅读 值班手册.md" in progress
    assert "已加入:值班手册.md" in summary and "共写入 1 段" in summary
    answer = _answer_in_dm(learning, "大促当天客服值班到几点?", "1700000300.000100", "Ev-learn-2")
    assert "凌晨两点" in answer
    assert "<https://wiki.example.com/oncall|大促值班手册 › 值班安排>" in answer


def test_someone_who_is_not_an_admin_is_told_who_can(learning: Running) -> None:
    file = learning.slack.add_file("值班手册.md", HANDBOOK.encode(), user="U123", channel="D777")
    send_event(learning.events_url, SIGNING_SECRET, _dm_with_file(file, "U123"), "Ev-learn-3")
    [reply] = _posts(learning.slack, 1)
    assert "只有工作区管理员可以" in reply
    assert not [r for r in learning.services.knowledge.sources() if r.source.startswith(SLACK_SOURCE_PREFIX)]


def test_users_named_in_the_settings_may_add_documents(learning: Running, tmp_path) -> None:  # type: ignore[no-untyped-def]
    learning.services.settings = make_settings(
        tmp_path, SLACK_API_BASE_URL=learning.slack.base_url, OPSBOT_ADMINS="UOPS, UOTHER"
    )
    file = learning.slack.add_file("oncall.md", HANDBOOK.encode(), user="UOPS", channel="D777")
    send_event(learning.events_url, SIGNING_SECRET, _dm_with_file(file, "UOPS", "learn"), "Ev-learn-4")
    progress, summary = _progress_then_summary(learning.slack)
    assert "Reading oncall.md and adding it" in progress
    assert "Added: oncall.md" in summary and "1 passage written" in summary


def test_ops_learn_takes_the_latest_shared_document_and_ops_sources_lists_it(learning: Running) -> None:
    learning.slack.add_file("renewals.pdf", make_pdf([["Renewals start 90 days early."]]), user="UADMIN")
    send_command(
        learning.events_url, SIGNING_SECRET, "/ops", "learn", learning.slack.response_url("l"), user="UADMIN"
    )
    assert learning.slack.wait_for(lambda s: len(s.responses) >= 2, timeout=60)
    progress, summary = (json.dumps(response) for response in learning.slack.responses)
    assert "Reading renewals.pdf" in progress and "Added: renewals.pdf" in summary
    assert all(response["replace_original"] for response in learning.slack.responses)  # one message
    send_command(learning.events_url, SIGNING_SECRET, "/ops", "sources", learning.slack.response_url("s"))
    assert learning.slack.wait_for(lambda s: len(s.responses) >= 3, timeout=60)
    listing = json.dumps(learning.slack.responses[2], ensure_ascii=False)
    assert "slack/renewals.pdf" in listing and "1 passage ·" in listing


def test_a_refused_document_says_why_and_adds_nothing(learning: Running) -> None:
    locked = encrypt_pdf(make_pdf([["secret plan"]]))
    file = learning.slack.add_file("plan.pdf", locked, user="UADMIN", channel="D777")
    send_event(learning.events_url, SIGNING_SECRET, _dm_with_file(file, "UADMIN", "learn this"), "Ev-learn-5")
    _, reply = _progress_then_summary(learning.slack)
    assert "plan.pdf is encrypted" in reply
    assert not [r for r in learning.services.knowledge.sources() if r.source.startswith(SLACK_SOURCE_PREFIX)]


def test_ops_learn_without_a_document_says_how(learning: Running) -> None:
    send_command(
        learning.events_url, SIGNING_SECRET, "/ops", "learn", learning.slack.response_url("n"), user="UADMIN"
    )
    assert learning.slack.wait_for(lambda s: len(s.responses) >= 1, timeout=60)
    assert "Share a document here first" in json.dumps(learning.slack.responses[0])


def _reply_sheet() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    for row in (
        ["客户问题", "标准回复"],
        ["发票多久能开出来？", "付款后 3 个工作日内开出电子发票，发到合同上的财务邮箱。"],
        ["账号被锁定了怎么办？", "连续输错 5 次会锁定 30 分钟，管理员可在后台解锁。"],
    ):
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_reply_sheet_is_learned_when_asked_and_answers_from_its_row(learning: Running) -> None:
    file = learning.slack.add_file("客服话术.xlsx", _reply_sheet(), user="UADMIN", channel="D777")
    send_event(learning.events_url, SIGNING_SECRET, _dm_with_file(file, "UADMIN", "学习一下"), "Ev-learn-6")
    _, summary = _progress_then_summary(learning.slack)
    assert "已加入:客服话术.xlsx" in summary and "共写入 2 段" in summary
    answer = _answer_in_dm(learning, "发票多久能开出来?", "1700000400.000100", "Ev-learn-7")
    assert "3 个工作日内开出电子发票" in answer
    assert "客服话术 › 发票多久能开出来？" in answer


def test_a_spreadsheet_shared_without_asking_is_not_learned_and_says_how(learning: Running) -> None:
    file = learning.slack.add_file("客服话术.xlsx", _reply_sheet(), user="UADMIN", channel="D777")
    send_event(learning.events_url, SIGNING_SECRET, _dm_with_file(file, "UADMIN"), "Ev-learn-8")
    [reply] = _posts(learning.slack, 1)
    assert "/ops learn" in reply and "问答表格" in reply
    assert not [r for r in learning.services.knowledge.sources() if r.source.startswith(SLACK_SOURCE_PREFIX)]
