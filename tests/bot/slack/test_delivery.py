"""Finding a scheduled message again in Slack by its metadata."""

from __future__ import annotations

from datetime import date

from slack_sdk import WebClient

from bot.local.slack_api import LocalSlack
from bot.slack.delivery import PAGE_SIZE, delivery_metadata, find_delivered
from bot.storage.delivery_log import DeliveryKey
from tests.conftest import BOT_TOKEN

MONDAY = DeliveryKey("USH", date(2026, 11, 23), "digest")


def _client(slack: LocalSlack) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=slack.base_url)


def test_the_message_is_found_behind_a_page_of_newer_ones(slack: LocalSlack) -> None:
    client = _client(slack)
    posted = client.chat_postMessage(channel="USH", text="digest", metadata=delivery_metadata(MONDAY))
    for n in range(PAGE_SIZE + 5):
        client.chat_postMessage(channel="USH", text=f"answer {n}")
    assert find_delivered(client, "USH", MONDAY) == ("DUSH", posted["ts"])
    assert len(slack.calls_to("conversations.history")) == 2


def test_another_days_kinds_or_owners_message_is_not_it(slack: LocalSlack) -> None:
    client = _client(slack)
    for other in (
        DeliveryKey("USH", date(2026, 11, 20), "digest"),
        DeliveryKey("USH", date(2026, 11, 23), "renewal:7:30"),
        DeliveryKey("UNY", date(2026, 11, 23), "digest"),
    ):
        client.chat_postMessage(channel="USH", text="other", metadata=delivery_metadata(other))
    client.chat_postEphemeral(channel="USH", user="USH", text="x", metadata=delivery_metadata(MONDAY))
    assert find_delivered(client, "USH", MONDAY) is None


def test_a_channel_is_read_directly(slack: LocalSlack) -> None:
    client = _client(slack)
    week = DeliveryKey("C0OPS", date(2026, 11, 16), "weekly")
    posted = client.chat_postMessage(channel="C0OPS", text="weekly", metadata=delivery_metadata(week))
    assert find_delivered(client, "C0OPS", week) == ("C0OPS", posted["ts"])
    assert not slack.calls_to("conversations.open")


def test_the_local_slack_returns_metadata_only_when_asked_as_slack_does(slack: LocalSlack) -> None:
    client = _client(slack)
    client.chat_postMessage(channel="USH", text="digest", metadata=delivery_metadata(MONDAY))
    [plain] = client.conversations_history(channel="DUSH")["messages"]
    [full] = client.conversations_history(channel="DUSH", include_all_metadata=True)["messages"]
    assert "metadata" not in plain and full["metadata"] == delivery_metadata(MONDAY)
