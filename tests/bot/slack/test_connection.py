"""Starting while Slack cannot be reached, and with a refused token, through `opsbot serve --http`."""

from __future__ import annotations

import subprocess
from pathlib import Path

from bot.local.slack_api import LocalSlack
from tests.fakes.serving import free_port, health, serve_http, wait_until


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
