"""Starting while Slack cannot be reached, with a refused token, and stopping with answers in flight,
through `opsbot serve --http`."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

from bot.local.slack_api import LocalSlack
from tests.conftest import SIGNING_SECRET
from tests.fakes.serving import alive, children_of, free_port, health, serve_http, wait_until
from tests.fakes.slack_requests import send_event


def test_unreachable_slack_is_one_clear_line_503_then_ready_once_slack_answers(tmp_path: Path) -> None:
    slack_port, port = free_port(), free_port()
    address = f"http://127.0.0.1:{slack_port}/api/"
    server = serve_http(tmp_path / "home", address, port)
    slack = LocalSlack()
    try:
        assert wait_until(lambda: health(port)[0] == 503 and "slack" in health(port)[1], 60)
        _, body = health(port)
        assert body["slack"] == f"cannot reach Slack at {address}: connection refused"
        slack.start(port=slack_port)  # Slack is back: ready without a restart
        assert wait_until(lambda: health(port)[0] == 200, 90), health(port)
        assert health(port)[1]["slack"] == "ok"
    finally:
        server.terminate()
        log, _ = server.communicate(timeout=60)
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


def _mention(port: int, text: str, ts: str) -> None:
    event = {"type": "app_mention", "user": "U1", "text": f"<@UOPSBOT> {text}", "ts": ts, "channel": "C1"}
    assert send_event(f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET, event, f"Ev{ts}") == 200


def test_sigterm_lets_the_answer_in_flight_reach_slack_then_exits_0(tmp_path: Path) -> None:
    slack, port = LocalSlack(), free_port()
    server = serve_http(tmp_path / "home", slack.start(), port)
    try:
        assert wait_until(lambda: health(port)[0] == 200, 120)
        slack.slow_next("chat.update", 3.0)  # the answer is on its way to Slack when SIGTERM comes
        _mention(port, "复盘怎么做?", "1700000000.000100")
        assert slack.wait_for(lambda s: len(s.calls_to("chat.update")) >= 1, timeout=30)
        children = children_of(server.pid)
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)
        assert server.returncode == 0
        [answer] = slack.calls_to("chat.update")
        assert "回顾目标" in json.dumps(answer.params, ensure_ascii=False)
        assert children and wait_until(lambda: not any(alive(pid) for pid in children), 5)
    finally:
        if server.poll() is None:
            server.kill()
        slack.stop()


def test_a_second_sigterm_leaves_at_once(tmp_path: Path) -> None:
    slack, port = LocalSlack(), free_port()
    server = serve_http(tmp_path / "home", slack.start(), port)
    try:
        assert wait_until(lambda: health(port)[0] == 200, 120)
        slack.slow_next("chat.update", 60.0)  # an answer that would hold the stop for the whole grace
        _mention(port, "复盘怎么做?", "1700000000.000200")
        assert slack.wait_for(lambda s: len(s.calls_to("chat.update")) >= 1, timeout=30)
        server.send_signal(signal.SIGTERM)
        time.sleep(1)
        assert server.poll() is None  # still waiting for the answer
        started = time.monotonic()
        server.send_signal(signal.SIGTERM)
        log, _ = server.communicate(timeout=10)
        assert time.monotonic() - started < 5 and server.returncode == 1
        assert "stopping now, without waiting for the answers in flight" in log
    finally:
        if server.poll() is None:
            server.kill()
        slack.stop()
