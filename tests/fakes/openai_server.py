"""A local OpenAI-compatible server for tests: canned chat replies, deterministic embeddings, recorded
requests, and failures on demand."""

from __future__ import annotations

import hashlib
import json
import threading
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
                    payload = {
                        "id": "chatcmpl-test",
                        "object": "chat.completion",
                        "created": 0,
                        "model": body.get("model", "test"),
                        "choices": [
                            {
                                "index": 0,
                                "finish_reason": "stop",
                                "message": {"role": "assistant", "content": fake.reply},
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
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
