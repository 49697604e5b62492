"""A loopback stand-in for the Slack Web API: the local console runs on it, and tests assert on it.

It answers the methods opsbot calls the way Slack does (`ok`, `ts`, `channel`), keeps the messages
it was sent (updates replace them), records every call, and can inject faults (429 with
Retry-After, 5xx) so retry behaviour is exercised over real HTTP.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

BOT_USER_ID = "UOPSBOT"
BOT_ID = "BOPSBOT"
TEAM_ID = "TLOCAL"


@dataclass
class ApiCall:
    method: str
    params: dict[str, Any]
    authorization: str | None


@dataclass
class Fault:
    status: int
    retry_after: int | None = None
    remaining: int = 1
    error: str | None = None


@dataclass
class StoredMessage:
    channel: str
    ts: str
    payload: dict[str, Any]
    thread_ts: str | None = None
    version: int = 0


@dataclass
class LocalSlack:
    """Start with `start()` (returns the base URL for WebClient), stop with `stop()`."""

    on_change: Callable[[StoredMessage], None] | None = None
    calls: list[ApiCall] = field(default_factory=list)
    messages: dict[str, StoredMessage] = field(default_factory=dict)
    responses: list[dict[str, Any]] = field(default_factory=list)
    user_timezones: dict[str, str] = field(default_factory=dict)
    _faults: dict[str, Fault] = field(default_factory=dict)
    _lock: threading.Condition = field(default_factory=threading.Condition)
    _ts: itertools.count = field(default_factory=lambda: itertools.count(1))  # type: ignore[type-arg]
    _server: ThreadingHTTPServer | None = None

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        handler = _handler_for(self)
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="local-slack", daemon=True).start()
        return self.base_url

    @property
    def base_url(self) -> str:
        assert self._server is not None, "not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/api/"

    def response_url(self, name: str) -> str:
        return self.base_url.replace("/api/", f"/respond/{name}")

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def fail_next(
        self,
        method: str,
        status: int,
        retry_after: int | None = None,
        times: int = 1,
        error: str | None = None,
    ) -> None:
        """Make the next `times` calls of `method` fail: HTTP `status` (with Retry-After), or with
        status 200, Slack's `{"ok": false, "error": error}`."""
        with self._lock:
            self._faults[method] = Fault(status, retry_after, times, error)

    def calls_to(self, method: str) -> list[ApiCall]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def wait_for(self, predicate: Callable[[LocalSlack], bool], timeout: float = 30.0) -> bool:
        """Block until `predicate(self)` holds (re-checked on every call received) or time runs out."""
        with self._lock:
            return self._lock.wait_for(lambda: predicate(self), timeout=timeout)

    # -- request handling (called from the server threads) --------------------------------------

    def _take_fault(self, method: str) -> Fault | None:
        fault = self._faults.get(method)
        if fault is None:
            return None
        fault.remaining -= 1
        if fault.remaining <= 0:
            del self._faults[method]
        return fault

    def handle(
        self, method: str, params: dict[str, Any], authorization: str | None
    ) -> tuple[int, dict, dict]:  # type: ignore[type-arg]
        changed: StoredMessage | None = None
        with self._lock:
            self.calls.append(ApiCall(method, params, authorization))
            fault = self._take_fault(method)
            if fault is not None:
                headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
                self._lock.notify_all()
                return (
                    fault.status,
                    {
                        "ok": False,
                        "error": fault.error or ("ratelimited" if fault.status == 429 else "fatal_error"),
                    },
                    headers,
                )
            body, changed = self._answer(method, params)
            self._lock.notify_all()
        if changed is not None and self.on_change is not None:
            self.on_change(changed)
        return 200, body, {}

    def _answer(self, method: str, params: dict[str, Any]) -> tuple[dict[str, Any], StoredMessage | None]:
        if method == "auth.test":
            return {
                "ok": True,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "team_id": TEAM_ID,
                "team": "Local",
                "user": "opsbot",
                "url": "http://localhost/",
            }, None
        if method in ("chat.postMessage", "chat.postEphemeral"):
            ts = f"{1_700_000_000 + next(self._ts)}.000100"
            channel = str(params.get("channel", ""))
            stored = StoredMessage(channel, ts, params, params.get("thread_ts"))
            self.messages[f"{channel}:{ts}"] = stored
            return {
                "ok": True,
                "channel": channel,
                "ts": ts,
                "message": {"ts": ts, "text": params.get("text")},
            }, stored
        if method == "chat.update":
            key = f"{params.get('channel')}:{params.get('ts')}"
            stored = self.messages.get(key)
            if stored is None:
                return {"ok": False, "error": "message_not_found"}, None
            stored.payload = params
            stored.version += 1
            return {"ok": True, "channel": stored.channel, "ts": stored.ts}, stored
        if method == "reactions.add":
            return {"ok": True}, None
        if method == "users.info":
            user = str(params.get("user", ""))
            tz = self.user_timezones.get(user, "UTC")
            return {"ok": True, "user": {"id": user, "name": user.lower(), "tz": tz, "is_admin": False}}, None
        if method.startswith("respond/"):
            self.responses.append(params)
            stored = StoredMessage("response_url", method, params)
            return {"ok": True}, stored
        return {"ok": True}, None


def _handler_for(slack: LocalSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            path = urlparse(self.path).path
            method = path.removeprefix("/api/").removeprefix("/")
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8") if length else ""
            params = _parse_body(raw, self.headers.get("Content-Type") or "")
            status, body, headers = slack.handle(method, params, self.headers.get("Authorization"))
            data = json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


def _parse_body(raw: str, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if "json" in content_type:
        return json.loads(raw)
    params: dict[str, Any] = {key: values[-1] for key, values in parse_qs(raw).items()}
    for key in ("blocks", "attachments"):
        if isinstance(params.get(key), str):
            params[key] = json.loads(params[key])
    return params
