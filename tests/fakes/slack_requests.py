"""Signed Slack requests, made the way Slack makes them (slack_sdk's SignatureVerifier)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier


def signed_headers(body: str, secret: str, timestamp: int | None = None) -> dict[str, str]:
    moment = str(timestamp if timestamp is not None else int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=moment, body=body)
    return {"X-Slack-Request-Timestamp": moment, "X-Slack-Signature": signature or ""}


def post(url: str, body: str, headers: dict[str, str], content_type: str) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body.encode("utf-8"), method="POST")
    request.add_header("Content-Type", content_type)
    for name, value in headers.items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def send_event(
    url: str,
    secret: str,
    event: dict[str, Any],
    event_id: str,
    retry: int | None = None,
    team_id: str = "TLOCAL",
) -> int:
    body = json.dumps(
        {
            "type": "event_callback",
            "team_id": team_id,
            "api_app_id": "A1",
            "event_id": event_id,
            "event": event,
        }
    )
    headers = signed_headers(body, secret)
    if retry is not None:
        headers["X-Slack-Retry-Num"] = str(retry)
        headers["X-Slack-Retry-Reason"] = "http_timeout"
    status, _ = post(url, body, headers, "application/json")
    return status


def send_command(
    url: str,
    secret: str,
    command: str,
    text: str,
    response_url: str,
    user: str = "U123",
    channel: str = "C123",
    trigger_id: str = "t-1",
    team_id: str = "TLOCAL",
) -> tuple[int, str]:
    body = urlencode(
        {
            "command": command,
            "text": text,
            "user_id": user,
            "channel_id": channel,
            "team_id": team_id,
            "response_url": response_url,
            "trigger_id": trigger_id,
            "api_app_id": "A1",
        }
    )
    return post(url, body, signed_headers(body, secret), "application/x-www-form-urlencoded")


def send_interaction(url: str, secret: str, payload: dict[str, Any]) -> tuple[int, str]:
    """A shortcut or a button click: Slack posts the JSON as the form field `payload`."""
    body = urlencode({"payload": json.dumps(payload)})
    return post(url, body, signed_headers(body, secret), "application/x-www-form-urlencoded")


def message_shortcut(
    message: dict[str, Any], response_url: str, user: str = "U999", channel: str = "C123"
) -> dict[str, Any]:
    return {
        "type": "message_action",
        "callback_id": "file_feedback",
        "trigger_id": "t-shortcut",
        "team": {"id": "TLOCAL"},
        "user": {"id": user},
        "channel": {"id": channel},
        "message": message,
        "message_ts": message.get("ts"),
        "response_url": response_url,
    }


def button_click(
    action_id: str,
    value: str,
    response_url: str,
    user: str = "U123",
    channel: str = "C123",
    message: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A click on a button in a message (`message`: the message it sits in, as Slack sends it)."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": "TLOCAL"},
        "user": {"id": user},
        "api_app_id": "A1",
        "trigger_id": "t-click",
        "container": {"type": "message"},
        "channel": {"id": channel},
        "response_url": response_url,
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value}],
    }
    if message is not None:
        payload["message"] = message
    return payload


def view_submission(
    view: dict[str, Any], values: dict[str, str | None], user: str = "U123", action_id: str = "value"
) -> dict[str, Any]:
    """A modal submitted: `view` as it was opened, `values` what was typed per input block id
    (None: left empty). Slack sends the view back with its state."""
    state = {
        block_id: {action_id: {"type": "plain_text_input", "value": value}}
        for block_id, value in values.items()
    }
    return {
        "type": "view_submission",
        "team": {"id": "TLOCAL"},
        "user": {"id": user},
        "api_app_id": "A1",
        "trigger_id": "t-submit",
        "view": {
            "id": view.get("id", "V1"),
            "type": "modal",
            "callback_id": view.get("callback_id", ""),
            "private_metadata": view.get("private_metadata", ""),
            "blocks": view.get("blocks", []),
            "state": {"values": state},
        },
    }


def file_share_message(file: dict, text: str = "", ts: str = "1700000100.000100") -> dict:  # type: ignore[type-arg]
    """The message event of a file shared with the bot in a direct message."""
    return {
        "type": "message",
        "subtype": "file_share",
        "channel_type": "im",
        "channel": "D123",
        "user": "U123",
        "text": text,
        "ts": ts,
        "files": [file],
    }
