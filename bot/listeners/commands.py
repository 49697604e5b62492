"""Slash commands: `/ops` (an umbrella with subcommands) and `/funnel`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.answering import answer_by_response_url
from bot.blocks import funnel_message, help_message, notice_message
from bot.messages import say
from bot.services import Services
from knowledge.text import detect_language

Subcommand = Callable[[Services, Ack, Respond, str, str], None]
"""(services, ack, respond, the text after the subcommand name, the whole command text)."""


def _help(services: Services, ack: Ack, respond: Respond, rest: str, text: str) -> None:
    ack(**help_message(detect_language(text)))


def _ask(services: Services, ack: Ack, respond: Respond, question: str, text: str) -> None:
    lang = detect_language(question)
    if not question:
        ack(**notice_message(say("empty_question", lang)))
        return
    ack(**notice_message(say("working", lang)))
    services.jobs.submit(lambda: answer_by_response_url(services, respond, question), name="ops-ask")


SUBCOMMANDS: dict[str, Subcommand] = {
    "help": _help,
    "帮助": _help,
    "ask": _ask,
    "问": _ask,
}


def register(app: App, services: Services) -> None:
    @app.command("/ops")
    def on_ops(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        text = (command.get("text") or "").strip()
        name, _, rest = text.partition(" ")
        handler = SUBCOMMANDS.get(name.lower())
        if not text:
            _help(services, ack, respond, "", text)
        elif handler is not None:
            handler(services, ack, respond, rest.strip(), text)
        else:
            _ask(services, ack, respond, text, text)

    @app.command("/funnel")
    def on_funnel(ack: Ack, command: dict[str, Any]) -> None:
        text = (command.get("text") or "").strip()
        ack(**funnel_message(text, detect_language(text)))
