"""One message in a thread that is posted once and then edited: progress that ends as the result."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


def message_in_place(client: WebClient, channel: str, thread_ts: str) -> Callable[[dict[str, Any]], None]:
    """A sender whose first payload is posted in the thread and whose later ones replace it, so a
    long job shows where it is and finishes with its summary, without a message per step. If the
    message cannot be edited (deleted meanwhile), the next payload is posted anew."""
    posted: list[str] = []

    def send(payload: dict[str, Any]) -> None:
        if posted:
            try:
                client.chat_update(channel=channel, ts=posted[0], **payload)
                return
            except SlackApiError as error:
                log.warning("could not edit the progress message (%s); posting", error.response.get("error"))
        response = client.chat_postMessage(channel=channel, thread_ts=thread_ts, **payload)
        posted[:] = [str(response["ts"])]

    return send
