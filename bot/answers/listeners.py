"""The 👍 / 👎 under an answer, and the optional form that asks what a 👎 answer missed.

A vote is acknowledged to the person who clicked it alone; the answer message is not changed, so
one person's vote does not speak for the channel."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.answers.votes import DOWN, REASON_BLOCK, REASON_CALLBACK, VOTE_ACTION, parse_vote, reason_modal
from bot.core.messages import say
from bot.slack.blocks import notice_message
from bot.storage.answer_log import HELPFUL, NOT_HELPFUL

if TYPE_CHECKING:
    from bot.workspaces import Workspaces

log = logging.getLogger(__name__)


def register(app: App, workspaces: Workspaces) -> None:
    @app.action(VOTE_ACTION)
    def on_vote(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        respond: Respond,
        context: BoltContext,
    ) -> None:
        ack()
        services = workspaces.for_context(context)
        parsed = parse_vote(str(action.get("value") or ""))
        user = str((body.get("user") or {}).get("id") or "")
        if parsed is None or not user:
            return
        kind, answer_id, lang = parsed
        if kind == DOWN and body.get("trigger_id"):
            # The form first: a trigger id lasts three seconds, the vote's write can wait.
            try:
                client.views_open(trigger_id=body["trigger_id"], view=reason_modal(answer_id, lang))
            except SlackApiError as error:
                log.info("could not open the answer feedback form: %s", error.response.get("error"))

        def work() -> None:
            try:
                kept = services.answers.vote(answer_id, user, NOT_HELPFUL if kind == DOWN else HELPFUL)
            except Exception:
                log.warning("could not save a vote on answer %s", answer_id, exc_info=True)
                kept, key = False, "answer_vote_failed"
            else:
                thanks = "answer_vote_thanks" if kind == DOWN else "answer_vote_glad"
                key = thanks if kept else "answer_vote_gone"
            respond(response_type="ephemeral", replace_original=False, **notice_message(say(key, lang)))

        services.jobs.submit(work, name="answer-vote")

    @app.view(REASON_CALLBACK)
    def on_reason(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        ack()
        services = workspaces.for_context(context)
        meta = json.loads(str(view.get("private_metadata") or "{}"))
        user = str((body.get("user") or {}).get("id") or "")
        values = ((view.get("state") or {}).get("values") or {}).get(REASON_BLOCK) or {}
        reason = str((values.get("value") or {}).get("value") or "").strip()
        answer_id = int(meta.get("answer", 0) or 0)
        if not reason or not user or not answer_id:
            return

        def work() -> None:
            try:
                services.answers.vote(answer_id, user, NOT_HELPFUL, reason)
            except Exception:
                log.warning("could not save the reason for a vote on answer %s", answer_id, exc_info=True)

        services.jobs.submit(work, name="answer-vote-reason")
