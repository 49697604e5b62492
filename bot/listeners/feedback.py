"""The "File as feedback" message shortcut and the buttons on feedback cards and triage posts."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.feedback_blocks import CATEGORY_ACTION, STATUS_ACTION, filed_card, triage_post
from bot.feedback_flows import file_from_shortcut, route
from bot.services import Services
from skills.feedback_categories import CATEGORIES, STATUSES

log = logging.getLogger(__name__)
SHORTCUT_CALLBACK = "file_feedback"


def _target(action: dict[str, Any], allowed: tuple[str, ...]) -> tuple[int, str] | None:
    """(item id, chosen value) from a button's `ID:VALUE`, or None for anything else."""
    item, _, value = str(action.get("value", "")).partition(":")
    if not item.isdigit() or value not in allowed:
        return None
    return int(item), value


def register(app: App, services: Services) -> None:
    @app.shortcut(SHORTCUT_CALLBACK)
    def on_shortcut(ack: Ack, shortcut: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        file_from_shortcut(services, client, lambda payload: respond(**payload), shortcut)

    @app.action(re.compile(rf"^{CATEGORY_ACTION}:"))
    def on_category(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        target = _target(action, CATEGORIES)
        user = (body.get("user") or {}).get("id", "")
        if target is None or services.feedback.store.get(target[0]) is None:
            ack()
            return
        item = services.feedback.correct(target[0], target[1], user)  # type: ignore[arg-type]
        ack()

        def after() -> None:
            filed = services.feedback.store.view(item)
            lang = "zh" if item.lang == "zh" else "en"
            note = route(services, client, filed, lang)
            respond(replace_original=True, **filed_card(filed, lang, route_note=note, corrected_by=user))
            services.feedback.relearn()

        services.jobs.submit(after, name="feedback-correct")

    @app.action(re.compile(rf"^{STATUS_ACTION}:"))
    def on_status(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        target = _target(action, STATUSES)
        user = (body.get("user") or {}).get("id", "")
        if target is None or services.feedback.store.get(target[0]) is None:
            ack()
            return
        item = services.feedback.set_status(target[0], target[1], user)  # type: ignore[arg-type]
        ack()
        lang = "zh" if item.lang == "zh" else "en"
        filed = services.feedback.store.view(item)
        services.jobs.submit(
            lambda: respond(replace_original=True, **triage_post(filed, lang, status_by=user)),
            name="feedback-status",
        )
