"""The "File as feedback" message shortcut, the buttons on feedback cards and triage posts, and the
form that names the report an item repeats."""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.core.messages import say
from bot.feedback.blocks import (
    CATEGORY_ACTION,
    GROUP_ACTION,
    SAME_AS_BLOCK,
    SAME_AS_CALLBACK,
    STATUS_ACTION,
    filed_card,
    item_language,
    same_as_modal,
    triage_post,
)
from bot.feedback.flows import file_from_shortcut, route
from bot.slack.admins import is_opsbot_admin, who_can
from bot.slack.blocks import notice_message
from skills.feedback_categories import CATEGORIES, STATUSES

if TYPE_CHECKING:
    from bot.services import Services
    from bot.workspaces import Workspaces

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

    @app.action(re.compile(rf"^{GROUP_ACTION}:"))
    def on_group(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        respond: Respond,
        context: BoltContext,
    ) -> None:
        """Splits the item out at once (Not the same problem) or asks which report it repeats
        (Same problem as…). Admins only, as for the command."""
        services = workspaces.for_context(context)
        clicked = _clicked(services, body, action, ("split", "same_as"))
        if clicked is None:
            ack()
            _gone(services, respond)
            return
        item_id, choice, user = clicked
        ack()
        item = services.feedback.store.get(item_id)
        lang = item_language(item)  # type: ignore[arg-type]

        def work() -> None:
            if not is_opsbot_admin(client, services.settings, user):
                text = say("feedback_group_not_admin", lang, who=who_can(services.settings, lang))
                respond(response_type="ephemeral", replace_original=False, **notice_message(text))
            elif choice == "split":
                split = services.feedback.store.split(item_id, user)
                respond(replace_original=True, **filed_card(services.feedback.store.view(split), lang))
            else:
                modal = same_as_modal(item_id, str(body.get("response_url") or ""), lang)
                try:
                    client.views_open(trigger_id=body["trigger_id"], view=modal)
                except SlackApiError as error:
                    log.warning("could not open the same-as form: %s", error.response.get("error"))

        services.jobs.submit(work, name="feedback-group")

    @app.view(SAME_AS_CALLBACK)
    def on_same_as(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """The earlier report's number: errors stay in the form as typed; a merge updates the card."""
        services = workspaces.for_context(context)
        meta = json.loads(str(view.get("private_metadata") or "{}"))
        item_id, lang = int(meta.get("item", 0)), meta.get("lang", "en")
        user = str((body.get("user") or {}).get("id") or "")
        typed = str(
            (((view.get("state") or {}).get("values") or {}).get(SAME_AS_BLOCK) or {})
            .get("value", {})
            .get("value")
            or ""
        )
        number = typed.strip().lstrip("#")
        store = services.feedback.store
        problem = None
        if not number.isdigit():
            problem = say("feedback_same_as_number", lang)
        elif int(number) == item_id:
            problem = say("feedback_same_as_itself", lang)
        elif store.get(int(number)) is None or store.get(item_id) is None:
            problem = say("feedback_group_missing", lang, id=number if store.get(item_id) else str(item_id))
        elif not is_opsbot_admin(client, services.settings, user):
            problem = say("feedback_group_not_admin", lang, who=who_can(services.settings, lang))
        if problem is not None:
            ack(response_action="errors", errors={SAME_AS_BLOCK: problem})
            return
        ack()

        def work() -> None:
            store.merge([item_id], int(number), user)
            merged = store.get(item_id)
            response_url = str(meta.get("response_url") or "")
            if response_url and merged is not None:
                WebhookClient(response_url).send_dict(
                    {"replace_original": True, **filed_card(store.view(merged), lang)}
                )

        services.jobs.submit(work, name="feedback-same-as")
