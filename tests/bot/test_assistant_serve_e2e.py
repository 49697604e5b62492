"""Slack's 2026 assistant features through a real `opsbot serve --http` process: a follow-up in a
thread searched on the thread's topic, a plain thread reply answered, a streamed LLM answer with its
sources, a 👎 counted by `opsbot answers stats --json`, prompts and status on the agent surface, and
the Home tab with the person's to-dos."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.answers.votes import VOTE_ACTION
from bot.local.slack_api import BOT_USER_ID, LocalSlack
from tests.conftest import SIGNING_SECRET
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.ports import free_port
from tests.fakes.serving import health, serve_http, wait_until
from tests.fakes.slack_requests import button_click, send_event, send_interaction


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, LocalSlack, FakeOpenAI, Path]]:
    slack, model = LocalSlack(), FakeOpenAI(reply="复盘分四步:回顾目标、评估结果、分析原因、总结规律 [1]。")
    home, port = tmp_path / "home", free_port()
    server = serve_http(home, slack.start(), port, OPENAI_BASE_URL=model.start())
    try:
        assert wait_until(lambda: health(port)[0] == 200, 180), "the server never became ready"
        yield f"http://127.0.0.1:{port}/slack/events", slack, model, home
    finally:
        server.terminate()
        server.communicate(timeout=30)
        slack.stop()
        model.stop()


def _send(url: str, event: dict[str, Any], event_id: str) -> None:
    assert send_event(url, SIGNING_SECRET, event, event_id) == 200


def _cli(home: Path, *words: str) -> str:
    environment = {**os.environ, "OPSBOT_HOME": str(home), "OPSBOT_LOG_LEVEL": "WARNING"}
    for name in ("DATABASE_URL", "CHROMA_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        environment.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", *words],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_the_assistant_of_2026_through_serve_http(served: tuple[str, LocalSlack, FakeOpenAI, Path]) -> None:
    url, slack, model, home = served
    first = {**slack.add_user_message("C123", f"<@{BOT_USER_ID}> 复盘有哪几步?"), "type": "app_mention"}
    _send(url, first, "EvServe1")
    assert slack.wait_for(lambda s: len(s.calls_to("chat.update")) >= 1, 60)
    assert slack.calls_to("chat.startStream"), "the answer was streamed"
    final = slack.calls_to("chat.update")[-1].params
    assert "复盘" in json.dumps(final, ensure_ascii=False) and "feedback_buttons" in json.dumps(final)

    root = str(first["ts"])
    follow = {**slack.add_user_message("C123", f"<@{BOT_USER_ID}> 那第二步具体要看什么?", thread_ts=root)}
    _send(url, {**follow, "type": "app_mention"}, "EvServe2")
    assert slack.wait_for(lambda s: len(s.calls_to("chat.update")) >= 2, 60)
    prompt = json.dumps(model.requests[-1]["body"]["messages"], ensure_ascii=False)
    assert "复盘四步" in prompt and "评估结果" in prompt, "searched on the thread's topic"

    posts = len(slack.calls_to("chat.postMessage"))
    _send(url, slack.add_user_message("C123", "操作问题怎么处理?", thread_ts=root), "EvServe3")
    assert slack.wait_for(lambda s: len(s.calls_to("chat.postMessage")) > posts, 60)
    assert slack.calls_to("chat.postMessage")[-1].params["thread_ts"] == root

    blocks = final["blocks"] if isinstance(final["blocks"], list) else json.loads(final["blocks"])
    [buttons] = [b for b in blocks if b["type"] == "context_actions"]
    down = buttons["elements"][0]["negative_button"]["value"]
    click = button_click(VOTE_ACTION, down, slack.response_url("vote"), user="U7")
    click["actions"][0]["type"] = "feedback_buttons"
    assert send_interaction(url, SIGNING_SECRET, click)[0] == 200
    assert slack.wait_for(lambda s: bool(s.responses), 30)
    assert json.loads(_cli(home, "answers", "stats", "--json"))["not_helpful"] == 1

    started = {
        "type": "assistant_thread_started",
        "assistant_thread": {"user_id": "U7", "channel_id": "DU7", "thread_ts": "1700009999.000100"},
    }
    _send(url, started, "EvServe4")
    assert slack.wait_for(lambda s: bool(s.calls_to("assistant.threads.setSuggestedPrompts")), 30)
    question = slack.add_user_message("DU7", "RFM 是什么?", thread_ts="1700009999.000100", channel_type="im")
    _send(url, question, "EvServe5")
    assert slack.wait_for(lambda s: bool(s.calls_to("assistant.threads.setStatus")), 30)

    _cli(home, "todo", "add", "--owner", "U7", "call Acme about the renewal")
    _send(url, {"type": "app_home_opened", "user": "U7", "channel": "DU7", "tab": "home"}, "EvServe6")
    assert slack.wait_for(lambda s: bool(s.calls_to("views.publish")), 30)
    assert "call Acme about the renewal" in json.dumps(slack.calls_to("views.publish")[-1].params)
