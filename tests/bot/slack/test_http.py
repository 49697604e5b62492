"""The health check's database probe: fast, bounded and never piling up behind a hung database; and
how the server stops."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from waitress.server import create_server

from bot.slack.http import DatabaseProbe, close_server, serve_until_closed
from bot.storage.engine import create_db_engine, sqlite_url


def test_a_working_database_is_ok(tmp_path: Path) -> None:
    assert DatabaseProbe(create_db_engine(sqlite_url(tmp_path))).status() == "ok"


def test_a_refused_connection_is_unreachable() -> None:
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]  # closed again: nothing listens there
    engine = create_engine(f"postgresql+psycopg://opsbot@127.0.0.1:{port}/opsbot?connect_timeout=2")
    assert DatabaseProbe(engine, budget=5.0).status() == "unreachable"


def test_a_database_that_never_answers_is_slow_and_checked_once_at_a_time() -> None:
    """A listener that accepts and stays silent: a frozen server."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    port = silent.getsockname()[1]
    engine = create_engine(f"postgresql+psycopg://opsbot@127.0.0.1:{port}/opsbot?connect_timeout=3")
    probe = DatabaseProbe(engine, budget=0.2)
    try:
        before = threading.active_count()
        assert probe.status() == "slow"
        assert probe.status() == "slow"
        assert threading.active_count() <= before + 1, "one check at a time"
    finally:
        silent.close()
        # The check still connecting fails now: let it log while this test's output is captured,
        # not after, when the stream it would write to is closed.
        for thread in threading.enumerate():
            if thread.name == "db-probe":
                thread.join(timeout=5)


def test_stopping_lets_the_request_in_hand_finish_without_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A stop arriving while a request is being answered: its thread finishes, then the sockets
    close; closing first made it log an EBADF traceback as it woke the closed loop."""
    answering, release = threading.Event(), threading.Event()

    def slow(_environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        answering.set()
        release.wait(5)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    server = create_server(slow, host="127.0.0.1", port=0, threads=2)
    threading.Thread(target=serve_until_closed, args=(server,), daemon=True).start()
    url = f"http://127.0.0.1:{server.effective_port}/"
    client = threading.Thread(target=_request, args=(url,), daemon=True)
    client.start()
    assert answering.wait(5)
    threading.Timer(0.3, release.set).start()
    with caplog.at_level(logging.WARNING):
        close_server(server)
        client.join(6)
        time.sleep(0.5)  # time for a thread still answering to log what went wrong
    # Only what a failing stop logs counts: an error or a traceback. A queue-depth warning is a
    # sign of load (the process may be serving other tests' servers) and says nothing of the stop.
    assert not [
        record
        for record in caplog.records
        if record.name.startswith("waitress") and (record.levelno >= logging.ERROR or record.exc_info)
    ]


def _request(url: str) -> None:
    """The client's side: the server may drop the connection as it stops."""
    with contextlib.suppress(OSError):
        urllib.request.urlopen(url, timeout=5).read()
