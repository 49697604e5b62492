"""`opsbot serve --http` processes for the benchmarks, and requests signed the way Slack signs them."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the tests' port picker
from tests.fakes.ports import free_port as free_port  # benchmarks take it from here

SECRET = "benchmark-signing-secret"
BOT_TOKEN = "xoxb-benchmark"


def percentile(samples: list[float], fraction: float) -> float:
    """The nearest-rank percentile (nan for no samples)."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def opsbot_env(
    home: Path,
    slack_url: str,
    database_url: str | None = None,
    chroma_url: str | None = None,
    log_level: str = "WARNING",
    **extra: str,
) -> dict[str, str]:
    """The environment of an opsbot process talking to the loopback Slack."""
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_BASE_URL": slack_url,
        "OPSBOT_HOME": str(home),
        "OPSBOT_LOG_LEVEL": log_level,
        "ANONYMIZED_TELEMETRY": "False",
        **extra,
    }
    for name in ("SLACK_APP_TOKEN", "DATABASE_URL", "CHROMA_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        env.pop(name, None)
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    if chroma_url is not None:
        env["CHROMA_URL"] = chroma_url
    return env


@dataclass
class Server:
    """One `opsbot serve --http` process (in its own process group, with its answer processes);
    its output goes to `log`."""

    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    started_seconds: float = 0.0
    _handle: Any = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self, timeout: float = 600.0, wait: bool = True) -> float:
        """Start and wait for /healthz 200 (unless `wait` is False: the scheduled scans run from
        the start, before the index is ready); returns the seconds that took."""
        self._handle = self.log.open("ab")
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bot.cli.main",
                "serve",
                "--http",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            env=self.env,
            stdout=self._handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if not wait:
            return 0.0
        deadline = started + timeout
        while time.perf_counter() < deadline:
            if self.healthy():
                self.started_seconds = time.perf_counter() - started
                return self.started_seconds
            if self.process.poll() is not None:
                raise SystemExit(f"opsbot serve exited with {self.process.returncode}; see {self.log}")
            time.sleep(0.05)
        raise SystemExit(f"opsbot serve did not become healthy in {timeout:.0f} s; see {self.log}")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def stop(self) -> None:
        """SIGTERM (a clean stop), then SIGKILL of the whole group if it lingers."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=30)
        self._kill_group()
        self._close()

    def kill9(self) -> None:
        """kill -9 of the serving process and its answer processes, as when a machine dies."""
        self._kill_group()
        assert self.process is not None
        self.process.wait(timeout=30)
        self._close()

    def _kill_group(self) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def _close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def log_lines(self) -> list[str]:
        return (
            self.log.read_text(encoding="utf-8", errors="replace").splitlines() if self.log.exists() else []
        )


def resident_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def memory_report(pid: int) -> str:
    """The serving process and its answer process(es), which hold the models and the index."""
    children = [
        int(child)
        for task in Path(f"/proc/{pid}/task").iterdir()
        for child in (task / "children").read_text().split()
    ]
    parts = [f"serving {resident_mib(pid):.0f} MiB"] + [f"child {resident_mib(c):.0f} MiB" for c in children]
    total = resident_mib(pid) + sum(resident_mib(c) for c in children)
    return f"{total:.0f} MiB ({', '.join(parts)})"


def slack_signature(body: str) -> dict[str, str]:
    """The headers with which Slack signs `body`, now."""
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=timestamp, body=body)
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature or ""}


def signed_post(
    port: int, body: str, content_type: str, timeout: float = 30.0, retry: int | None = None
) -> tuple[int, str, float]:
    """POST to /slack/events as Slack does (`retry`: a redelivery's X-Slack-Retry-Num): (HTTP status,
    body, seconds); status 0 when no answer came in `timeout` seconds."""
    headers = {**slack_signature(body), "Content-Type": content_type}
    if retry is not None:
        headers["X-Slack-Retry-Num"] = str(retry)
        headers["X-Slack-Retry-Reason"] = "http_error"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/slack/events", body.encode(), headers, method="POST"
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read().decode("utf-8", errors="replace")
            status = response.status
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode("utf-8", errors="replace")
    except OSError as error:
        status, text = 0, f"{type(error).__name__}: {error}"
    return status, text, time.perf_counter() - started


def _command_body(text: str, response_url: str, user: str, channel: str, trigger_id: str) -> str:
    return urlencode(
        {
            "command": "/ops",
            "text": text,
            "user_id": user,
            "channel_id": channel,
            "team_id": "TLOCAL",
            "api_app_id": "A1",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
    )


def slash_command_bytes(
    port: int,
    text: str,
    response_url: str,
    user: str = "UBENCH",
    channel: str = "CBENCH",
    trigger_id: str = "t",
) -> bytes:
    """`/ops TEXT` as the raw HTTP request Slack would send (signed now), for `burst`."""
    body = _command_body(text, response_url, user, channel, trigger_id)
    data = body.encode()
    headers = {
        "Host": f"127.0.0.1:{port}",
        "Content-Type": "application/x-www-form-urlencoded",
        **slack_signature(body),
        "Content-Length": str(len(data)),
        "Connection": "close",
    }
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return f"POST /slack/events HTTP/1.1\r\n{head}\r\n".encode() + data


def burst(requests: list[tuple[int, bytes]], timeout: float = 30.0) -> list[tuple[int, str, float]]:
    """Send every (port, raw request) at once from one event loop: (HTTP status, body, seconds from
    connecting to the whole answer), status 0 when none came in `timeout` seconds.

    Slack's requests come from many machines; a load generator of one thread per request would take
    a core of this 2-core machine itself and measure its own queueing, so the requests are prepared
    beforehand and sent from a single thread."""

    async def one(port: int, raw: bytes) -> tuple[int, str, float]:
        began = time.perf_counter()
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(raw)
                await writer.drain()
                answer = await reader.read()
                writer.close()
        except (TimeoutError, OSError) as error:
            return 0, f"{type(error).__name__}: {error}", time.perf_counter() - began
        seconds = time.perf_counter() - began
        head, _, body = answer.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
        return status, body.decode("utf-8", errors="replace"), seconds

    async def all_at_once() -> list[tuple[int, str, float]]:
        return await asyncio.gather(*(one(port, raw) for port, raw in requests))

    return asyncio.run(all_at_once())


def slash_command(
    port: int,
    text: str,
    response_url: str,
    user: str = "UBENCH",
    channel: str = "CBENCH",
    trigger_id: str = "t",
    timeout: float = 30.0,
) -> tuple[int, str, float]:
    """`/ops TEXT`: (HTTP status, the ack's body, seconds to the ack)."""
    body = _command_body(text, response_url, user, channel, trigger_id)
    return signed_post(port, body, "application/x-www-form-urlencoded", timeout)


def _event(
    port: int, event: dict[str, Any], event_id: str, timeout: float, retry: int | None = None
) -> tuple[int, str, float]:
    """An Events API callback around `event`, signed and posted: (HTTP status, body, seconds)."""
    body = json.dumps(
        {
            "type": "event_callback",
            "team_id": "TLOCAL",
            "api_app_id": "A1",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": {**event, "event_ts": event["ts"]},
        }
    )
    return signed_post(port, body, "application/json", timeout, retry)


def app_mention(
    port: int,
    text: str,
    channel: str,
    ts: str,
    event_id: str,
    user: str = "UBENCH",
    timeout: float = 30.0,
    retry: int | None = None,
) -> tuple[int, str, float]:
    """An `app_mention` event as the Events API delivers it."""
    event = {"type": "app_mention", "user": user, "text": f"<@UOPSBOT> {text}", "ts": ts, "channel": channel}
    return _event(port, event, event_id, timeout, retry)


def direct_message(
    port: int, text: str, channel: str, ts: str, event_id: str, user: str = "UBENCH", timeout: float = 30.0
) -> tuple[int, str, float]:
    """A `message` event in a DM (`channel_type` im), as the Events API delivers it."""
    event = {
        "type": "message",
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": ts,
        "channel": channel,
    }
    return _event(port, event, event_id, timeout)


def ack_text(body: str) -> str:
    """The text a slash command's ack shows (its JSON `text`, else the blocks' text), or the body."""
    try:
        payload = json.loads(body)
    except ValueError:
        return body.strip()
    if not isinstance(payload, dict):
        return body.strip()
    return message_text(payload)


def message_text(payload: dict[str, Any]) -> str:
    """All the visible text of a message payload: `text` and the text inside its blocks."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                parts.append(node["text"])
            for key, value in node.items():
                if key != "text" or not isinstance(value, str):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(payload.get("blocks") or [])
    text = str(payload.get("text") or "")
    if text and text not in parts:
        parts.insert(0, text)
    return " | ".join(dict.fromkeys(part.strip() for part in parts if part.strip()))
