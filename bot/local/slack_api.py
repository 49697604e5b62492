"""A loopback stand-in for the Slack Web API: the local console runs on it, and tests assert on it.

It answers the methods opsbot calls the way Slack does (`ok`, `ts`, `channel`), keeps the messages
it was sent (updates replace them) and the files shared with it (downloads need the bot token;
uploads go through the external-upload flow), records every call (with the moment it arrived), and
can inject faults so retry behaviour is exercised over real HTTP: 429 with Retry-After and 5xx
(`fail_next`, also after the work was done), slow answers (`delays` for every call of a method, `slow_next` for the next few: the
work is done, then the answer waits, as when Slack posts a message but answers after the client gave
up), and a refused bot token (`refuse_token`: every Web API call says `invalid_auth`,
`account_inactive`… until `accept_token`).
"""

from __future__ import annotations

import itertools
import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlparse

BOT_USER_ID = "UOPSBOT"
BOT_ID = "BOPSBOT"
TEAM_ID = "TLOCAL"
LOCAL_USER = "ULOCALUSER"
"""The one person of the local workspace: whoever sits at the console."""


@dataclass
class ApiCall:
    method: str
    params: dict[str, Any]
    authorization: str | None
    status: int = 200
    """The HTTP status it got (429 or 5xx when a fault or the rate limit refused it)."""
    at: float = field(default_factory=time.monotonic)
    """When it arrived (time.monotonic), to time answers and count calls made in a period."""


@dataclass
class Fault:
    status: int
    retry_after: int | None = None
    remaining: int = 1
    error: str | None = None
    after_work: bool = False
    """The work is done (a message posted) before the failure is answered, as when Slack fails late."""


@dataclass
class StoredMessage:
    channel: str
    ts: str
    payload: dict[str, Any]
    thread_ts: str | None = None
    version: int = 0
    ephemeral: bool = False
    """Seen by one user only: never in the conversation's history."""
    author: str | None = None
    """The person who wrote it (`add_user_message`); None: posted by opsbot through the Web API."""


@dataclass
class LocalFile:
    id: str
    name: str
    content: bytes
    user: str
    channels: list[str] = field(default_factory=list)
    title: str = ""
    created: int = 0
    thread_ts: str | None = None
    comment: str | None = None

    def as_slack(self, root: str) -> dict[str, Any]:
        """The file object Slack returns from files.info and puts in message events."""
        extension = self.name.rsplit(".", 1)[-1].lower() if "." in self.name else "text"
        return {
            "id": self.id,
            "name": self.name,
            "title": self.title or self.name,
            "filetype": extension,
            "size": len(self.content),
            "user": self.user,
            "created": self.created,
            "channels": list(self.channels),
            "permalink": f"https://local.slack.test/files/{self.user}/{self.id}/{quote(self.name)}",
            "url_private": f"{root}/files-pri/{self.id}/{quote(self.name)}",
            "url_private_download": f"{root}/files-pri/{self.id}/download/{quote(self.name)}",
        }


@dataclass
class LocalSlack:
    """Start with `start()` (returns the base URL for WebClient), stop with `stop()`."""

    on_change: Callable[[StoredMessage], None] | None = None
    calls: list[ApiCall] = field(default_factory=list)
    messages: dict[str, StoredMessage] = field(default_factory=dict)
    responses: list[dict[str, Any]] = field(default_factory=list)
    user_timezones: dict[str, str] = field(default_factory=dict)
    """Profile time zones users.info reports (none for users not listed)."""
    user_locales: dict[str, str] = field(default_factory=dict)
    """Slack locales (`zh-CN`…) users.info reports with include_locale; en-US otherwise."""
    admins: set[str] = field(default_factory=set)
    """Users that users.info reports as workspace admins."""
    files: dict[str, LocalFile] = field(default_factory=dict)
    """Files users shared (`add_file`) and files the bot uploaded (completed uploads)."""
    channels: dict[str, str] = field(default_factory=dict)
    """Channel id → name, for conversations.list."""
    private_channels: set[str] = field(default_factory=set)
    """Channels conversations.info reports as private (ids starting with G are private anyway)."""
    _pending_uploads: dict[str, LocalFile] = field(default_factory=dict)
    rate_limits: dict[str, int] = field(default_factory=dict)
    """Calls per second a method accepts; beyond that it answers 429 with Retry-After: 1, as Slack does."""
    delays: dict[str, float] = field(default_factory=dict)
    """Seconds every call of a method takes: its work is done at once (a message is posted), the
    answer is sent that much later. Set it to slow Slack down; a client that gives up first has
    still had its message posted."""
    refused_token: str | None = None
    """While set (see `refuse_token`), every Web API call answers `{"ok": false, "error": …}`."""
    _faults: dict[str, Fault] = field(default_factory=dict)
    _slow: dict[str, list[float]] = field(default_factory=dict)
    _windows: dict[str, tuple[int, int]] = field(default_factory=dict)
    _lock: threading.Condition = field(default_factory=threading.Condition)
    _ts: itertools.count = field(default_factory=lambda: itertools.count(1))  # type: ignore[type-arg]
    _server: ThreadingHTTPServer | None = None
    _latest: float = 0.0
    """The latest timestamp a caller gave a message (`add_user_message(ts=…)`)."""

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        handler = _handler_for(self)
        self._server = _Server((host, port), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="local-slack", daemon=True).start()
        return self.base_url

    @property
    def base_url(self) -> str:
        assert self._server is not None, "not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/api/"

    @property
    def root_url(self) -> str:
        return self.base_url.removesuffix("/api/")

    def add_file(
        self, name: str, content: bytes, user: str = "U123", channel: str = "C123"
    ) -> dict[str, Any]:
        """A file a user shared in `channel`; returns its Slack file object (for message events)."""
        with self._lock:
            shared = LocalFile(
                f"F{next(self._ts):09d}", name, content, user, [channel], created=int(time.time())
            )
            self.files[shared.id] = shared
            return shared.as_slack(self.root_url)

    def uploads(self) -> list[LocalFile]:
        """Files the bot shared, oldest first."""
        with self._lock:
            return [f for f in self.files.values() if f.user == BOT_USER_ID]

    def file_content(self, path: str, authorization: str | None) -> tuple[int, bytes, str]:
        """GET of a url_private: Slack answers an unauthenticated request with its sign-in page."""
        parts = path.strip("/").split("/")
        with self._lock:
            shared = self.files.get(parts[1]) if len(parts) >= 3 else None
        if shared is None:
            return 404, b"not found", "text/plain"
        if not (authorization or "").startswith("Bearer xoxb-"):
            return (
                200,
                b"<!DOCTYPE html><html><body>Sign in to Slack</body></html>",
                "text/html; charset=utf-8",
            )
        return 200, shared.content, "application/octet-stream"

    def receive_upload(self, file_id: str, content: bytes) -> bool:
        with self._lock:
            pending = self._pending_uploads.get(file_id)
            if pending is None:
                return False
            pending.content = content
            return True

    def add_user_message(
        self,
        channel: str,
        text: str,
        user: str = "U123",
        thread_ts: str | None = None,
        channel_type: str = "channel",
        ts: str | None = None,
    ) -> dict[str, Any]:
        """Record a message a person wrote, as Slack keeps it in the conversation, and return the
        message event Slack would deliver for it (without `app_mention`: send that yourself).
        `ts`: its timestamp, when the caller keeps them unique itself."""
        with self._lock:
            ts = ts or self._new_ts("000200")
            self._latest = max(self._latest, float(ts))
            payload: dict[str, Any] = {"text": text, "user": user}
            self.messages[f"{channel}:{ts}"] = StoredMessage(channel, ts, payload, thread_ts, author=user)
        event: dict[str, Any] = {
            "type": "message",
            "channel": channel,
            "channel_type": channel_type,
            "user": user,
            "text": text,
            "ts": ts,
        }
        if thread_ts is not None:
            event["thread_ts"] = thread_ts
        return event

    def delete_message(self, channel: str, ts: str) -> None:
        """A message someone deleted: gone from history and from its thread."""
        with self._lock:
            self.messages.pop(f"{channel}:{ts}", None)

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
        after_work: bool = False,
    ) -> None:
        """Make the next `times` calls of `method` fail: HTTP `status` (with Retry-After), or with
        status 200, Slack's `{"ok": false, "error": error}`; `after_work`: the call's work is done
        first (the message is posted), then the failure is answered."""
        with self._lock:
            self._faults[method] = Fault(status, retry_after, times, error, after_work)

    def clear_faults(self) -> None:
        """Drop the faults still queued by `fail_next` and `slow_next`: Slack works normally again."""
        with self._lock:
            self._faults.clear()
            self._slow.clear()

    def slow_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Make the next `times` calls of `method` succeed (the message is posted) but answer only
        after `seconds`: a client whose timeout is shorter gives up on a call that did its work."""
        with self._lock:
            self._slow.setdefault(method, []).extend([seconds] * times)

    def refuse_token(self, error: str = "invalid_auth") -> None:
        """Slack refuses the bot token from now on (revoked, app uninstalled, workspace inactive):
        every Web API call, auth.test included, answers HTTP 200 with `{"ok": false, "error": error}`.
        Calls to response URLs (which need no token) still work."""
        with self._lock:
            self.refused_token = error

    def accept_token(self) -> None:
        """The bot token works again (reinstalled, or a new one set)."""
        with self._lock:
            self.refused_token = None

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

    def _over_rate(self, method: str) -> Fault | None:
        limit = self.rate_limits.get(method)
        if limit is None:
            return None
        second = int(time.monotonic())
        window, count = self._windows.get(method, (second, 0))
        count = count + 1 if window == second else 1
        self._windows[method] = (second, count)
        return Fault(429, retry_after=1) if count > limit else None

    def _take_delay(self, method: str) -> float:
        queued = self._slow.get(method)
        if not queued:
            return self.delays.get(method, 0.0)
        seconds = queued.pop(0)
        if not queued:
            del self._slow[method]
        return seconds

    def handle(
        self, method: str, params: dict[str, Any], authorization: str | None
    ) -> tuple[int, dict, dict]:  # type: ignore[type-arg]
        """The answer to one call: (HTTP status, JSON body, headers). A delay set for the method is
        waited out after the work is done, outside the lock, so other calls go on meanwhile."""
        status, body, headers, delay = self._handle(method, params, authorization)
        if delay > 0:
            time.sleep(delay)
        return status, body, headers

    def _handle(
        self, method: str, params: dict[str, Any], authorization: str | None
    ) -> tuple[int, dict, dict, float]:  # type: ignore[type-arg]
        changed: StoredMessage | None = None
        with self._lock:
            self.calls.append(ApiCall(method, params, authorization))
            delay = self._take_delay(method)
            if self.refused_token is not None and not method.startswith("respond/"):
                self._lock.notify_all()
                return 200, {"ok": False, "error": self.refused_token}, {}, delay
            fault = self._take_fault(method) or self._over_rate(method)
            if fault is not None:
                if fault.after_work:
                    changed = self._answer(method, params)[1]
                self.calls[-1].status = fault.status
                headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
                self._lock.notify_all()
                return (
                    fault.status,
                    {
                        "ok": False,
                        "error": fault.error or ("ratelimited" if fault.status == 429 else "fatal_error"),
                    },
                    headers,
                    delay,
                )
            body, changed = self._answer(method, params)
            self._lock.notify_all()
        if changed is not None and self.on_change is not None:
            self.on_change(changed)
        return 200, body, {}, delay

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
            ts = self._new_ts("000100")
            channel = str(params.get("channel", ""))
            ephemeral = method == "chat.postEphemeral"
            stored = StoredMessage(channel, ts, params, params.get("thread_ts"), ephemeral=ephemeral)
            self.messages[f"{channel}:{ts}"] = stored
            return {
                "ok": True,
                "channel": channel,
                "ts": ts,
                "message": {"ts": ts, "text": params.get("text")},
            }, stored
        if method == "chat.startStream":
            ts = self._new_ts("000100")
            channel = str(params.get("channel", ""))
            stored = StoredMessage(
                channel, ts, {"text": streamed_text(params), "streaming": True}, params.get("thread_ts")
            )
            self.messages[f"{channel}:{ts}"] = stored
            return {"ok": True, "channel": channel, "ts": ts}, stored
        if method in ("chat.appendStream", "chat.stopStream"):
            stored = self.messages.get(f"{params.get('channel')}:{params.get('ts')}")
            if stored is None or not stored.payload.get("streaming"):
                return {"ok": False, "error": "message_not_in_streaming_state"}, None
            text = str(stored.payload.get("text") or "") + streamed_text(params)
            stored.payload = {"text": text, "streaming": method == "chat.appendStream"}
            if params.get("blocks"):
                stored.payload["blocks"] = params["blocks"]
            stored.version += 1
            return {"ok": True, "channel": stored.channel, "ts": stored.ts}, stored
        if method == "chat.update":
            key = f"{params.get('channel')}:{params.get('ts')}"
            stored = self.messages.get(key)
            if stored is None:
                return {"ok": False, "error": "message_not_found"}, None
            stored.payload = params
            stored.version += 1
            return {"ok": True, "channel": stored.channel, "ts": stored.ts}, stored
        if method.startswith("files."):
            return self._answer_files(method, params), None
        if method == "reactions.add":
            return {"ok": True}, None
        if method == "views.open":
            view = params.get("view")
            view = json.loads(view) if isinstance(view, str) else dict(view or {})
            return {"ok": True, "view": {**view, "id": f"V{next(self._ts):09d}"}}, None
        if method == "chat.getPermalink":
            channel, ts = params.get("channel", ""), str(params.get("message_ts", ""))
            link = f"https://local.slack.test/archives/{channel}/p{ts.replace('.', '')}"
            return {"ok": True, "channel": channel, "permalink": link}, None
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": f"D{params.get('users', '')}"}}, None
        if method == "conversations.history":
            return self._history(params), None
        if method == "conversations.replies":
            return self._replies(params), None
        if method == "conversations.info":
            channel = str(params.get("channel", ""))
            private = channel in self.private_channels or channel.startswith("G")
            info = {"id": channel, "is_private": private, "is_im": channel.startswith("D")}
            return {"ok": True, "channel": info}, None
        if method == "conversations.list":
            listed = [{"id": id_, "name": name} for id_, name in self.channels.items()]
            return {"ok": True, "channels": listed, "response_metadata": {"next_cursor": ""}}, None
        if method == "users.info":
            user = str(params.get("user", ""))
            profile: dict[str, Any] = {"id": user, "name": user.lower(), "is_admin": user in self.admins}
            if user in self.user_timezones:
                profile["tz"] = self.user_timezones[user]
            if str(params.get("include_locale", "")).lower() in ("true", "1"):
                profile["locale"] = self.user_locales.get(user, "en-US")
            return {"ok": True, "user": profile}, None
        if method.startswith("respond/"):
            self.responses.append(params)
            stored = StoredMessage("response_url", method, params)
            return {"ok": True}, stored
        return {"ok": True}, None

    def _history(self, params: dict[str, Any]) -> dict[str, Any]:
        """Newest first, `limit` a page, with a cursor; a message's metadata only when asked for
        (`include_all_metadata`), as Slack does. Messages posted to a user id are in the direct
        message conversation.open names (`D` + the user id)."""
        channel = str(params.get("channel", ""))
        in_channel = sorted(
            (
                m
                for m in self.messages.values()
                if channel in (m.channel, f"D{m.channel}") and m.thread_ts is None and not m.ephemeral
            ),
            key=lambda m: float(m.ts),
            reverse=True,
        )
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("true", "1")

        def entry(message: StoredMessage) -> dict[str, Any]:
            shown: dict[str, Any] = {"type": "message", "ts": message.ts, "text": message.payload.get("text")}
            if with_metadata and message.payload.get("metadata"):
                metadata = message.payload["metadata"]
                shown["metadata"] = json.loads(metadata) if isinstance(metadata, str) else metadata
            return shown

        return _page(in_channel, params, entry)

    def _new_ts(self, fraction: str) -> str:
        """A new message's timestamp: from a counter (predictable in tests), but always after any
        timestamp a caller gave a message, as Slack's clock would be."""
        counted = f"{1_700_000_000 + next(self._ts)}.{fraction}"
        if float(counted) > self._latest:
            return counted
        self._latest += 0.000001
        return f"{self._latest:.6f}"

    def _replies(self, params: dict[str, Any]) -> dict[str, Any]:
        """A thread, its root first and then its replies oldest first, `limit` a page, with a
        cursor; `thread_not_found` once the root is deleted, as Slack answers."""
        channel, root = str(params.get("channel", "")), str(params.get("ts", ""))
        if f"{channel}:{root}" not in self.messages:
            return {"ok": False, "error": "thread_not_found"}
        thread = sorted(
            (
                m
                for m in self.messages.values()
                if m.channel == channel and not m.ephemeral and (m.ts == root or m.thread_ts == root)
            ),
            key=lambda m: float(m.ts),
        )

        def entry(message: StoredMessage) -> dict[str, Any]:
            shown: dict[str, Any] = {
                "type": "message",
                "ts": message.ts,
                "thread_ts": root,
                "text": message.payload.get("text"),
            }
            if message.author is None:
                shown.update(user=BOT_USER_ID, bot_id=BOT_ID)
            else:
                shown["user"] = message.author
            return shown

        return _page(thread, params, entry)

    def _answer_files(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "files.info":
            shared = self.files.get(str(params.get("file", "")))
            if shared is None:
                return {"ok": False, "error": "file_not_found"}
            return {"ok": True, "file": shared.as_slack(self.root_url)}
        if method == "files.list":
            channel, user = params.get("channel"), params.get("user")
            since = int(params.get("ts_from") or 0)
            listed = [
                f.as_slack(self.root_url)
                for f in sorted(self.files.values(), key=lambda f: (f.created, f.id), reverse=True)
                if (channel is None or channel in f.channels)
                and (user is None or f.user == user)
                and f.created >= since
            ]
            return {"ok": True, "files": listed[: int(params.get("count") or 100)]}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):09d}"
            self._pending_uploads[file_id] = LocalFile(
                file_id, str(params.get("filename", "")), b"", BOT_USER_ID
            )
            return {"ok": True, "file_id": file_id, "upload_url": f"{self.root_url}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            entries = params.get("files")
            entries = json.loads(entries) if isinstance(entries, str) else entries or []
            channel = params.get("channel_id")
            completed = []
            for entry in entries:
                pending = self._pending_uploads.pop(entry["id"], None)
                if pending is None:
                    return {"ok": False, "error": "file_not_found"}
                pending.title = entry.get("title") or pending.name
                pending.channels = [channel] if channel else []
                pending.thread_ts = params.get("thread_ts")
                pending.comment = params.get("initial_comment")
                pending.created = int(time.time())
                self.files[pending.id] = pending
                completed.append({"id": pending.id, "title": pending.title})
            return {"ok": True, "files": completed}
        return {"ok": False, "error": "unknown_method"}


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away before its (slow) answer, e.g. a killed process, is no error."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def _page(
    messages: list[StoredMessage], params: dict[str, Any], entry: Callable[[StoredMessage], dict[str, Any]]
) -> dict[str, Any]:
    """One page of a conversation read (`limit` messages from the `cursor`), as Slack pages them."""
    start = int(params.get("cursor") or 0)
    limit = int(params.get("limit") or 100)
    more = start + limit < len(messages)
    return {
        "ok": True,
        "messages": [entry(message) for message in messages[start : start + limit]],
        "has_more": more,
        "response_metadata": {"next_cursor": str(start + limit) if more else ""},
    }


def streamed_text(params: dict[str, Any]) -> str:
    """The text a stream call carries: `markdown_text`, or its `markdown_text` chunks (as JSON or a list)."""
    chunks = params.get("chunks") or []
    if isinstance(chunks, str):
        chunks = json.loads(chunks)
    parts = [str(params.get("markdown_text") or "")]
    parts += [str(chunk.get("text") or "") for chunk in chunks if chunk.get("type") == "markdown_text"]
    return "".join(parts)


def _handler_for(slack: LocalSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, data, content_type = slack.file_content(
                urlparse(self.path).path, self.headers.get("Authorization")
            )
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            path = urlparse(self.path).path
            if path.startswith("/upload/"):
                length = int(self.headers.get("Content-Length") or 0)
                received = slack.receive_upload(path.removeprefix("/upload/"), self.rfile.read(length))
                body = f"OK - {length}".encode() if received else b"not found"
                self.send_response(200 if received else 404)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
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
    for key in ("blocks", "attachments", "metadata"):
        if isinstance(params.get(key), str):
            params[key] = json.loads(params[key])
    return params
