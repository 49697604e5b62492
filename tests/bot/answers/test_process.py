"""Answers from a child process: the serving set-up of `opsbot serve`."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

from bot.answers.process import AnswerProcess
from bot.answers.service import KnowledgeService
from bot.local.slack_api import LocalSlack
from tests.conftest import make_settings
from tests.fakes.ports import free_port
from tests.fakes.serving import alive, children_of, health, serve_http, wait_until


def test_child_process_answers_and_reports_ready(playbook_home: Path, knowledge: KnowledgeService) -> None:
    answers = AnswerProcess(make_settings(playbook_home))
    try:
        assert not answers.ready
        answers.start_warm_up()
        deadline = time.monotonic() + 120
        while not answers.ready and time.monotonic() < deadline:
            time.sleep(0.1)
        assert answers.ready
        answer = answers.answer("复盘分哪几步?")
        assert answer.found
        assert answer.lang == "zh"
        assert answer.citations[0].source.startswith("playbook/zh/")
        manager = answers._pool._executor_manager_thread  # type: ignore[attr-defined]
    finally:
        answers.close()
    assert not manager.is_alive(), "the pool has wound down before the interpreter exits"


def test_no_answer_process_outlives_a_killed_server(tmp_path: Path) -> None:
    """kill -9 of `opsbot serve --http` (the OOM killer, a forced pod delete): its children follow
    within seconds instead of holding their memory (each has the embedders loaded)."""
    slack = LocalSlack()
    port = free_port()
    server = serve_http(tmp_path / "home", slack.start(), port)
    children: list[int] = []
    try:
        assert wait_until(lambda: health(port)[0] == 200, 120), "the server never became ready"
        children = children_of(server.pid)
        assert children  # the answer process (and multiprocessing's resource tracker)
        server.kill()
        server.wait(timeout=10)
        assert wait_until(lambda: not any(alive(pid) for pid in children), 10), [
            pid for pid in children if alive(pid)
        ]
    finally:
        if server.poll() is None:
            server.kill()
        for pid in children or children_of(server.pid):  # none left behind, even when the test fails
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        server.communicate(timeout=10)
        slack.stop()
