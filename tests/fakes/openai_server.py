"""A local OpenAI-compatible server for tests: canned chat replies, deterministic embeddings, recorded
requests, and failures on demand."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def _vector(text: str, dimension: int = 32) -> list[float]:
    """Deterministic bag-of-characters vector: similar texts get similar vectors."""
    vector = [0.0] * dimension
    for character in text:
        vector[int(hashlib.md5(character.encode()).hexdigest(), 16) % dimension] += 1.0
    return vector


@dataclass
class FakeOpenAI:
    reply: str = "A retrospective has four steps [1]."
    status: int = 200
    tokens_per_second: float | None = None
    """Replies are written at this rate (a token is 4 characters): streamed ones (`"stream": true`)
    token by token, whole ones after the time the whole reply takes; None: at once."""
    fail_after_tokens: int | None = None
    """Streamed replies end in an error event after this many tokens, as a failing upstream does."""
    whole_reply: str | None = None
    """When set, what requests that are not streamed get (a question to translate before the
    answer streams), while streamed ones still get `reply`."""
    requests: list[dict[str, Any]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append(
                    {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
                )
                if fake.status == 200 and body.get("stream"):
                    fake._stream(self, body)
                    return
                if fake.status != 200:
                    payload: dict[str, Any] = {"error": {"message": "boom", "type": "server_error"}}
                elif self.path.endswith("/embeddings"):
                    inputs = body.get("input") or []
                    payload = {
                        "object": "list",
                        "model": body.get("model", "test"),
                        "data": [
                            {"object": "embedding", "index": n, "embedding": _vector(text)}
                            for n, text in enumerate(inputs)
                        ],
                        "usage": {"prompt_tokens": 0, "total_tokens": 0},
                    }
                else:
                    if fake.tokens_per_second:  # a whole reply takes as long to write as a streamed one
                        time.sleep(len(fake.reply) / 4 / fake.tokens_per_second)
                    payload = {
                        "id": "chatcmpl-test",
                        "object": "chat.completion",
                        "created": 0,
                        "model": body.get("model", "test"),
                        "choices": [
                            {
                                "index": 0,
                                "finish_reason": "stop",
                                "message": {
                                    "role": "assistant",
                                    "content": fake.reply if fake.whole_reply is None else fake.whole_reply,
                                },
                            }
                        ],
                    }
                data = json.dumps(payload).encode()
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self.url

    @property
    def url(self) -> str:
        """The base URL of the running server, as `start` returned it."""
        assert self._server is not None, "start the server first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def _stream(self, handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        """The reply as server-sent events, one chunk per token, then [DONE]."""
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Cache-Control", "no-cache")
        handler.end_headers()
        tokens = [self.reply[start : start + 4] for start in range(0, len(self.reply), 4)]
        for number, token in enumerate(tokens):
            if self.fail_after_tokens is not None and number >= self.fail_after_tokens:
                failure = {"error": {"message": "the upstream model went away", "type": "server_error"}}
                handler.wfile.write(f"data: {json.dumps(failure)}\n\n".encode())
                handler.wfile.flush()
                return
            if self.tokens_per_second:
                time.sleep(1 / self.tokens_per_second)
            chunk = {
                "id": "chatcmpl-test",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": body.get("model", "test"),
                "choices": [{"index": 0, "delta": {"content": token}, "finish_reason": None}],
            }
            handler.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            handler.wfile.flush()
        done = {
            "id": "chatcmpl-test",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": "test",
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        }
        handler.wfile.write(f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode())
        handler.wfile.flush()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
