"""Documents learned in a private channel, through the real Bolt app: cited there, and nowhere else
(answers by mention or `/ops ask` in other channels, `/ops sources` listings elsewhere)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from bot.answers.learning import SLACK_SOURCE_PREFIX
from bot.local.slack_api import LocalSlack
from tests.bot.conftest import Running
from tests.conftest import SIGNING_SECRET
from tests.fakes.slack_requests import send_command, send_event

PLAN = (
    "# 组织调整方案\n\n"
    "## 时间表\n\n华东仓储团队将于三月整体并入华南大区，涉及四十二名员工的岗位调整，由区域总监负责沟通。\n"
)
QUESTION = "华东仓储团队什么时候并入华南大区?"
SECRET_TEXT = "四十二名员工"


@pytest.fixture
def learning(running: Running) -> Iterator[Running]:
    """The session index is shared: documents added here are removed afterwards."""
    running.slack.admins.add("UADMIN")
    yield running
    for record in running.services.knowledge.sources():
        if record.source.startswith(SLACK_SOURCE_PREFIX):
            running.services.knowledge.forget(record.source)


def _learn_in(running: Running, channel: str) -> str:
    running.slack.add_file("调整方案.md", PLAN.encode(), user="UADMIN", channel=channel)
    url = running.slack.response_url(f"learn-{channel}")
    before = len(running.slack.responses)
    send_command(running.events_url, SIGNING_SECRET, "/ops", "learn", url, user="UADMIN", channel=channel)
    # "Reading …", then the summary in its place
    assert running.slack.wait_for(lambda s: len(s.responses) >= before + 2, timeout=60)
    return json.dumps(running.slack.responses[-1], ensure_ascii=False)


def _ask_by_mention(running: Running, channel: str, ts: str) -> str:
    before = len(running.slack.calls_to("chat.update"))
    event = {
        "type": "app_mention",
        "channel": channel,
        "user": "U123",
        "text": f"<@UOPSBOT> {QUESTION}",
        "ts": ts,
    }
    send_event(running.events_url, SIGNING_SECRET, event, f"Ev-vis-{channel}-{ts}")
    assert running.slack.wait_for(lambda s: len(s.calls_to("chat.update")) > before, timeout=60)
    update = running.slack.calls_to("chat.update")[-1]
    assert update.params["channel"] == channel
    return json.dumps(update.params, ensure_ascii=False)


def _command(running: Running, text: str, channel: str) -> str:
    before = len(running.slack.responses)
    url = running.slack.response_url(f"{text.split()[0]}-{channel}-{before}")
    send_command(running.events_url, SIGNING_SECRET, "/ops", text, url, channel=channel)
    assert running.slack.wait_for(lambda s: len(s.responses) > before, timeout=60)
    return json.dumps(running.slack.responses[-1], ensure_ascii=False)


def _assert_private(slack: LocalSlack, running: Running, private: str) -> None:
    in_channel = _ask_by_mention(running, private, "1700000400.000100")
    assert SECRET_TEXT in in_channel and "组织调整方案" in in_channel

    for elsewhere, ts in (("C123", "1700000500.000100"), ("GOTHER", "1700000600.000100")):
        answer = _ask_by_mention(running, elsewhere, ts)
        assert SECRET_TEXT not in answer and "组织调整方案" not in answer and "调整方案.md" not in answer
    asked = _command(running, f"ask {QUESTION}", "C123")
    assert SECRET_TEXT not in asked and "组织调整方案" not in asked
    assert SECRET_TEXT in _command(running, f"ask {QUESTION}", private)

    assert "slack/调整方案.md" not in _command(running, "sources", "C123")
    assert "slack/调整方案.md" not in _command(running, "sources", "GOTHER")
    assert "slack/调整方案.md" in _command(running, "sources", private)
    [record] = [r for r in running.services.knowledge.sources() if r.source == "slack/调整方案.md"]
    assert record.visibility == private


def test_a_document_learned_in_a_legacy_private_channel_stays_there(learning: Running) -> None:
    summary = _learn_in(learning, "GPRIVATE")
    assert "调整方案.md" in summary and ":lock:" in summary
    _assert_private(learning.slack, learning, "GPRIVATE")


def test_a_channel_slack_reports_private_keeps_its_documents(learning: Running) -> None:
    learning.slack.private_channels.add("CPRIVATE")
    _learn_in(learning, "CPRIVATE")
    assert learning.slack.calls_to("conversations.info")
    _assert_private(learning.slack, learning, "CPRIVATE")


def test_a_document_learned_in_a_public_channel_is_cited_everywhere(learning: Running) -> None:
    summary = _learn_in(learning, "CPUBLIC")
    assert ":lock:" not in summary
    assert SECRET_TEXT in _ask_by_mention(learning, "C123", "1700000700.000100")
    assert "slack/调整方案.md" in _command(learning, "sources", "GOTHER")
