"""Every Slack request over HTTP must carry a valid signature made within the last five minutes:
a forged, stale, future, unsigned or altered request is refused with 401 by the real server, and
nothing happens (no reply in Slack, nothing filed, the event not even marked as seen)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest

from bot.local.slack_api import BOT_USER_ID
from tests.bot.conftest import Running
from tests.conftest import SIGNING_SECRET
from tests.fakes.slack_requests import message_shortcut, post, signed_headers

FEEDBACK = "Export to Excel fails with error 500 since this morning"
FIVE_MINUTES = 5 * 60


@dataclass(frozen=True)
class Request:
    body: str
    content_type: str
    done: Callable[[Running], bool]
    """Whether the request was acted on: a reply reached Slack and the feedback was filed."""


def _filed(running: Running) -> bool:
    return any(FEEDBACK in item.text for item in running.services.feedback.store.items())


def _slash_command(running: Running) -> Request:
    body = urlencode(
        {
            "command": "/ops",
            "text": f"feedback {FEEDBACK}",
            "user_id": "U123",
            "channel_id": "C123",
            "team_id": "TLOCAL",
            "response_url": running.slack.response_url("signed-command"),
            "trigger_id": "t-signed",
            "api_app_id": "A1",
        }
    )
    return Request(body, "application/x-www-form-urlencoded", _filed)


def _event(running: Running) -> Request:
    event = {
        "type": "app_mention",
        "channel": "C123",
        "user": "U555",
        "text": f"<@{BOT_USER_ID}> feedback: {FEEDBACK}",
        "ts": "1700000900.000100",
    }
    body = json.dumps(
        {
            "type": "event_callback",
            "team_id": "TLOCAL",
            "api_app_id": "A1",
            "event_id": "Ev-sig",
            "event": event,
        }
    )

    def done(running: Running) -> bool:
        return _filed(running) and bool(running.slack.calls_to("chat.postMessage"))

    return Request(body, "application/json", done)


def _interaction(running: Running) -> Request:
    message = {"type": "message", "user": "U777", "text": FEEDBACK, "ts": "1700000950.000200"}
    payload = message_shortcut(message, running.slack.response_url("signed-shortcut"))
    body = urlencode({"payload": json.dumps(payload)})

    def done(running: Running) -> bool:
        return _filed(running) and bool(running.slack.responses)

    return Request(body, "application/x-www-form-urlencoded", done)


KINDS = {"slash command": _slash_command, "event": _event, "interactive payload": _interaction}


def _refusals(body: str) -> dict[str, dict[str, str]]:
    now = int(time.time())
    unsigned = signed_headers(body, SIGNING_SECRET)
    del unsigned["X-Slack-Signature"]
    no_timestamp = signed_headers(body, SIGNING_SECRET)
    del no_timestamp["X-Slack-Request-Timestamp"]
    return {
        "wrong signature": signed_headers(body, "not-the-signing-secret"),
        "stale timestamp": signed_headers(body, SIGNING_SECRET, timestamp=now - FIVE_MINUTES - 60),
        "timestamp from the future": signed_headers(body, SIGNING_SECRET, timestamp=now + FIVE_MINUTES + 60),
        "missing signature": unsigned,
        "missing timestamp": no_timestamp,
        "signature of another body": signed_headers(body.replace("500", "501"), SIGNING_SECRET),
    }


@pytest.mark.parametrize("kind", list(KINDS))
def test_unsigned_forged_and_stale_requests_are_refused_and_do_nothing(running: Running, kind: str) -> None:
    request = KINDS[kind](running)
    calls_before = len(running.slack.calls)
    for refusal, headers in _refusals(request.body).items():
        status, _ = post(running.events_url, request.body, headers, request.content_type)
        assert status == 401, refusal
    running.services.jobs.drain(timeout=10)
    assert running.slack.calls[calls_before:] == []
    assert running.slack.responses == []
    assert running.services.feedback.store.items() == []

    # The very same body, now signed: acted on, so the refused deliveries left no trace (for the
    # event, its id was not even claimed in the ledger of events already handled).
    status, _ = post(
        running.events_url, request.body, signed_headers(request.body, SIGNING_SECRET), request.content_type
    )
    assert status == 200
    assert running.slack.wait_for(lambda _: request.done(running), timeout=30)


def test_a_request_signed_just_within_five_minutes_is_accepted(running: Running) -> None:
    request = _slash_command(running)
    recent = signed_headers(request.body, SIGNING_SECRET, timestamp=int(time.time()) - FIVE_MINUTES + 60)
    status, _ = post(running.events_url, request.body, recent, request.content_type)
    assert status == 200
    assert running.slack.wait_for(lambda _: request.done(running), timeout=30)
