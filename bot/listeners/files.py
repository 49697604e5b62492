"""A message with files addressed to the bot: documents go to learning (admins only), the rest to
the reports (CSVs for RFM or tiers). Deciding which is routing between two features, so it sits
here, above both."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient

from bot.answers.learning import asks_to_learn, is_document, is_learnable, learn
from bot.reports.file_requests import analyse_shared_files
from bot.slack.files import SharedFile
from bot.slack.progress import message_in_place
from bot.slack.requests import file_request_language
from bot.slack.text import strip_bot_mentions

if TYPE_CHECKING:
    from bot.services import Services


def on_shared_files(services: Services, client: WebClient, event: dict[str, Any]) -> None:
    """Answered in the message's thread: documents are learned, the other files analysed."""
    channel = event["channel"]
    thread_ts = event.get("thread_ts") or event["ts"]
    text = strip_bot_mentions(event.get("text") or "")
    shared_files = [SharedFile.from_slack(data) for data in event.get("files") or []]
    learn_asked = asks_to_learn(text)
    documents = [
        f for f in shared_files if is_document(f) or (learn_asked and (is_learnable(f) or not f.is_csv))
    ]
    if documents:
        lang = file_request_language(text, documents[0])
        progress = message_in_place(client, channel, thread_ts)
        learn(services, client, event.get("user", ""), documents, progress, lang, channel)
    others = [f for f in shared_files if f not in documents]
    if others:
        analyse_shared_files(services, client, channel, thread_ts, text, others)
