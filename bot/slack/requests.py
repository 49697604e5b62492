"""What a slash command hands to the feature that serves it.

It lives below the features so a command handler can take it without importing the router
(`bot.listeners.commands`) that calls the handler."""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt import Ack, Respond
from slack_sdk import WebClient


@dataclass(frozen=True)
class SlashRequest:
    ack: Ack
    respond: Respond
    client: WebClient
    rest: str
    """The text after the subcommand name."""
    text: str
    """The whole command text."""
    channel: str
    user: str
    trigger_id: str = ""
