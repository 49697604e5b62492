"""Starting while Slack cannot be reached, with a refused token, and stopping with answers in flight,
through `opsbot serve --http`."""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from bot.local.slack_api import LocalSlack
from tests.conftest import SIGNING_SECRET
from tests.fakes.ports import free_port
from tests.fakes.serving import alive, children_of, health, serve_http, wait_until
from tests.fakes.slack_requests import send_event


def test_unreachable_slack_is_one_clear_line_503_then_ready_once_slack_answers(tmp_path: Path) -> None:
    # Slack's port stays bound without listening (connections are refused) until Slack starts on
    # it, so no other test's server can take it meanwhile.
    reserved = socket.socket()
    reserved.bind(("127.0.0.1", 0))
    slack_port, port = reserved.getsockname()[1], free_port()
    address = f"http://127.0.0.1:{slack_port}/api/"
    server = serve_http(tmp_path / "home", address, port)
    slack = LocalSlack()
    try:
        assert wait_until(lambda: health(port)[0] == 503 and "slack" in health(port)[1], 60)
        _, body = health(port)
        assert body["slack"] == f"cannot reach Slack at {address}: connection refused"
        reserved.close()
        slack.start(port=slack_port)  # Slack is back: ready without a restart
        assert wait_until(lambda: health(port)[0] == 200, 90), health(port)
        assert health(port)[1]["slack"] == "ok"
    finally:
        server.terminate()
        log, _ = server.communicate(timeout=60)
        reserved.close()
        slack.stop()
    assert (
        f"WARNING bot.slack.connection: cannot reach Slack at {address}: connection refused; retrying in 1 s"
        in log
    )
    assert "Traceback" not in log and "ERROR" not in log


def test_a_refused_token_stops_the_server_with_one_line(tmp_path: Path) -> None:
    slack = LocalSlack()
    address = slack.start()
    slack.refuse_token("invalid_auth")
    server = serve_http(tmp_path / "home", address, free_port(), token="xoxb-revoked")
    try:
        log, _ = server.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        server.kill()
        raise
    finally:
        slack.stop()
    assert server.returncode == 1
    assert f"Slack at {address} refused the bot token (invalid_auth): check SLACK_BOT_TOKEN" in log
    assert "Traceback" not in log and "xoxb-revoked" not in log


@contextlib.contextmanager
def _answer_in_flight(home: Path, slack_seconds: float) -> Iterator[tuple[LocalSlack, subprocess.Popen[str]]]:
    """A ready server with an answer to a mention on its way to Slack, which takes `slack_seconds`
    to take it; the server is killed afterwards if the test left it running."""
    slack, port = LocalSlack(), free_port()
    server = serve_http(home, slack.start(), port)
    try:
        assert wait_until(lambda: health(port)[0] == 200, 120)
        slack.slow_next("chat.update", slack_seconds)
        event = {"type": "app_mention", "user": "U1", "text": "<@UOPSBOT> 复盘怎么做?", "channel": "C1"}
        event["ts"] = "1700000000.000100"
        assert send_event(f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET, event, "EvInFlight") == 200
        assert slack.wait_for(lambda s: len(s.calls_to("chat.update")) >= 1, timeout=30)
        yield slack, server
    finally:
        if server.poll() is None:
            server.kill()
        slack.stop()


def test_sigterm_lets_the_answer_in_flight_reach_slack_then_exits_0(tmp_path: Path) -> None:
    # The answer is on its way to Slack when SIGTERM comes.
    with _answer_in_flight(tmp_path / "home", slack_seconds=3.0) as (slack, server):
        children = children_of(server.pid)
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)
        assert server.returncode == 0
        [answer] = slack.calls_to("chat.update")
        assert "回顾目标" in json.dumps(answer.params, ensure_ascii=False)
        assert children and wait_until(lambda: not any(alive(pid) for pid in children), 5)


def test_a_second_sigterm_leaves_at_once(tmp_path: Path) -> None:
    # An answer that would hold the stop for the whole grace period.
    with _answer_in_flight(tmp_path / "home", slack_seconds=60.0) as (_, server):
        server.send_signal(signal.SIGTERM)
        time.sleep(1)
        assert server.poll() is None  # still waiting for the answer
        started = time.monotonic()
        server.send_signal(signal.SIGTERM)
        log, _ = server.communicate(timeout=10)
        assert time.monotonic() - started < 5 and server.returncode == 1
        assert "stopping now, without waiting for the answers in flight" in log
