"""A progress message that becomes the result: posted once, then edited."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.local.slack_api import LocalSlack
from bot.slack.progress import message_in_place


def test_the_first_payload_is_posted_and_the_rest_edit_it() -> None:
    slack = LocalSlack()
    client = WebClient(token="xoxb-test", base_url=slack.start())
    try:
        send = message_in_place(client, "C1", "1700000000.000100")
        for text in ("reading 1 of 2", "reading 2 of 2", "done"):
            send({"text": text})
        [post] = slack.calls_to("chat.postMessage")
        assert post.params["thread_ts"] == "1700000000.000100"
        assert [call.params["text"] for call in slack.calls_to("chat.update")] == ["reading 2 of 2", "done"]
    finally:
        slack.stop()


def test_a_deleted_progress_message_is_posted_again() -> None:
    slack = LocalSlack()
    client = WebClient(token="xoxb-test", base_url=slack.start())
    try:
        send = message_in_place(client, "C1", "1700000000.000100")
        send({"text": "reading"})
        assert len(slack.calls_to("chat.postMessage")) == 1
        slack.messages.clear()  # someone deleted it
        send({"text": "done"})
        assert [call.params["text"] for call in slack.calls_to("chat.postMessage")] == ["reading", "done"]
    finally:
        slack.stop()
