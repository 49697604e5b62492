"""The "File as feedback" message shortcut and the buttons on feedback cards and triage posts."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.core.messages import say
from bot.feedback.blocks import CATEGORY_ACTION, STATUS_ACTION, filed_card, item_language, triage_post
from bot.feedback.flows import file_from_shortcut, route
from bot.services import Services
from bot.slack.blocks import notice_message
from bot.workspaces import Workspaces
from skills.feedback_categories import CATEGORIES, STATUSES

log = logging.getLogger(__name__)
SHORTCUT_CALLBACK = "file_feedback"


def _clicked(
    services: Services, body: dict[str, Any], action: dict[str, Any], allowed: tuple[str, ...]
) -> tuple[int, str, str] | None:
    """(item id, chosen value, user) from a button's `ID:VALUE`; None for a deleted item or a
    forged value, which change nothing."""
    item, _, value = str(action.get("value", "")).partition(":")
    if item.isdigit() and value in allowed and services.feedback.store.get(int(item)) is not None:
        return int(item), value, (body.get("user") or {}).get("id", "")
    return None


def _gone(services: Services, respond: Respond) -> None:
    text = f"{say('feedback_gone', 'en')} / {say('feedback_gone', 'zh')}"
    services.jobs.submit(
        lambda: respond(response_type="ephemeral", replace_original=False, **notice_message(text)),
        name="feedback-gone",
    )


def register(app: App, workspaces: Workspaces) -> None:
    @app.shortcut(SHORTCUT_CALLBACK)
    def on_shortcut(
        ack: Ack, shortcut: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
    ) -> None:
        services = workspaces.for_context(context)
        ack()
        file_from_shortcut(services, client, lambda payload: respond(**payload), shortcut)

    @app.action(re.compile(rf"^{CATEGORY_ACTION}:"))
    def on_category(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        respond: Respond,
        context: BoltContext,
    ) -> None:
        services = workspaces.for_context(context)
        clicked = _clicked(services, body, action, CATEGORIES)
        if clicked is None:
            ack()
            _gone(services, respond)
            return
        item_id, category, user = clicked
        item = services.feedback.correct(item_id, category, user)  # type: ignore[arg-type]
        ack()

        def after() -> None:
            filed = services.feedback.store.view(item)
            lang = item_language(item)
            try:
                note = route(services, client, filed, lang)
            except Exception:
                log.exception("routing corrected feedback #%s failed", item.id)
                note = None
            respond(replace_original=True, **filed_card(filed, lang, route_note=note, corrected_by=user))
            services.feedback.relearn()

        services.jobs.submit(after, name="feedback-correct")

    @app.action(re.compile(rf"^{STATUS_ACTION}:"))
    def on_status(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
    ) -> None:
        services = workspaces.for_context(context)
        clicked = _clicked(services, body, action, STATUSES)
        if clicked is None:
            ack()
            _gone(services, respond)
            return
        item_id, status, user = clicked
        item = services.feedback.set_status(item_id, status, user)  # type: ignore[arg-type]
        ack()
        lang = item_language(item)
        filed = services.feedback.store.view(item)
        services.jobs.submit(
            lambda: respond(replace_original=True, **triage_post(filed, lang, status_by=user)),
            name="feedback-status",
        )
