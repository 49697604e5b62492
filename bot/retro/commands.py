"""`/ops retro [METRIC FROM..TO]` (also `/ops 复盘`): a four-step retrospective in a modal, then saved,
posted in the channel and added to the knowledge index, so the team's lessons become playbook.

The modal has to open within three seconds of the command (the trigger id expires), so the handler
acks and calls `views.open` itself; only the filing after the submission runs on the job pool.
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.retro.blocks import (
    CALLBACK_ID,
    RetroMeta,
    retro_markdown,
    retro_message,
    retro_modal,
    retro_notice_message,
    submission_errors,
    submitted_text,
)
from bot.slack.actions import GOAL_RETRO_ACTION
from bot.slack.blocks import notice_message
from bot.slack.requests import SlashRequest, reply_language
from bot.slack.text import escape
from bot.storage.goals import GoalStore
from bot.storage.metrics import MetricStore
from bot.storage.retros import NewRetro, Retro, RetroStore, draft_from_metrics, index_retro
from knowledge.text import Lang, detect_language
from skills.errors import SkillError
from skills.goals import goal_retro_draft, goal_status
from skills.retro import RetroDraft, RetroText, default_title, parse_retro_args, retro_problems, retro_title

if TYPE_CHECKING:
    from bot.services import Services
    from bot.workspaces import Workspaces

log = logging.getLogger(__name__)
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]+$")
_NOT_A_MEMBER = ("not_in_channel", "channel_not_found", "is_archived", "restricted_action")

_TEXT: dict[str, dict[Lang, str]] = {
    "no_modal": {
        "en": "I could not open the retro form (Slack said {error}). Please run `/ops retro` again "
        "(reference: {ref}).",
        "zh": "复盘表单没能打开(Slack 返回 {error}),请重新运行 `/ops 复盘`(编号:{ref})。",
    },
    "failed": {
        "en": "Sorry, that did not work; please try again in a minute (reference: {ref}).",
        "zh": "抱歉,操作没有成功,请稍后再试(编号:{ref})。",
    },
    "not_saved": {
        "en": "Sorry, your retro could not be saved (reference: {ref}). Here is what you wrote, so "
        "nothing is lost; please try `/ops retro` again in a minute.",
        "zh": "抱歉,复盘没能保存(编号:{ref})。你写的内容在下面,没有丢失,请稍后重新运行 `/ops 复盘`。",
    },
    "not_posted": {
        "en": "Your retro is saved as retro #{id}{indexed}, but I could not post it in {place} "
        "({error}). {fix}Here it is:",
        "zh": "复盘已保存为 #{id}{indexed},但没能发到{place}({error})。{fix}内容如下:",
    },
    "indexed": {"en": " and added to the team's knowledge", "zh": ",并已加入团队知识库"},
    "invite": {
        "en": "Invite me there with `/invite @opsbot` so the next retro is posted; share this one from here. ",
        "zh": "请在那里用 `/invite @opsbot` 邀请我,下次就能直接发布;这次的可以从这里转发。",
    },
    "this_conversation": {"en": "this conversation", "zh": "这个会话"},
    "not_indexed": {
        "en": "Retro #{id} is saved and posted, but it could not be added to the team's knowledge yet "
        "(reference: {ref}); it is tried again with the next retro.",
        "zh": "复盘 #{id} 已保存并发布,但暂时没能加入团队知识库(编号:{ref}),下次有复盘时会再试。",
    },
}


def _say(key: str, lang: Lang, **values: object) -> str:
    return _TEXT[key][lang].format(**values)


def _reference() -> str:
    return uuid.uuid4().hex[:8]


def _ephemeral(respond: Respond, text: str) -> None:
    respond(response_type="ephemeral", replace_original=False, **notice_message(text))


def _modal_for(services: Services, rest: str, channel: str, lang: Lang) -> dict[str, Any]:
    """The view to open: blank, or prefilled from the metric store; SkillError for bad input."""
    args = parse_retro_args(rest)
    draft: RetroDraft | None = None
    meta = RetroMeta(channel, lang)
    if args.metric and args.start and args.end:
        metric, draft = draft_from_metrics(
            MetricStore(services.owners.engine), args.metric, args.start, args.end, lang
        )
        meta = RetroMeta(channel, lang, metric, args.start.isoformat(), args.end.isoformat())
    return retro_modal(draft, meta)


def _goal_modal(services: Services, name: str, channel: str, lang: Lang) -> dict[str, Any]:
    """The retro form for the ended goal `name`, posted (when submitted) in `channel`."""
    engine = services.owners.engine
    goal = GoalStore(engine).find(name).goal
    values = MetricStore(engine).series(goal.metric, goal.start, goal.end, goal.client)
    draft = goal_retro_draft(goal_status(goal, values, goal.end), lang)
    meta = RetroMeta(channel, lang, goal.metric, goal.start.isoformat(), goal.end.isoformat())
    return retro_modal(draft, meta)


def retro_command(services: Services, request: SlashRequest) -> None:
    """Ack at once, then open the modal in this handler (the trigger id lives three seconds); bad
    input and a form that would not open are told to the person, only to them."""
    request.ack()
    lang = reply_language(request.client, request.user, request.text, detect_language(request.text))
    try:
        view = _modal_for(services, request.rest, request.channel, lang)
    except SkillError as error:
        _ephemeral(request.respond, escape(error.message(lang)))  # it may quote what was typed
        return
    except Exception:
        reference = _reference()
        log.exception("preparing the retro form failed (reference %s)", reference)
        _ephemeral(request.respond, _say("failed", lang, ref=reference))
        return
    try:
        request.client.views_open(trigger_id=request.trigger_id, view=view)
    except SlackApiError as error:
        reference = _reference()
        code = str(error.response.get("error") or "error")
        log.warning("views.open failed for the retro form: %s (reference %s)", code, reference)
        _ephemeral(request.respond, _say("no_modal", lang, error=code, ref=reference))


def register(app: App, workspaces: Workspaces) -> None:
    @app.action(GOAL_RETRO_ACTION)
    def on_goal_retro(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        """The digest's button on an ended goal: the retro form, prefilled with the goal and what
        came of it, opened at once (the trigger id lives three seconds)."""
        ack()
        services = workspaces.for_context(context)
        user = str((body.get("user") or {}).get("id") or "")
        name = str(((body.get("actions") or [{}])[0]).get("value") or "")
        channel = str((body.get("channel") or {}).get("id") or user)  # the digest's DM
        lang = reply_language(client, user, name, detect_language(name))
        try:
            view = _goal_modal(services, name, channel, lang)
            client.views_open(trigger_id=str(body.get("trigger_id") or ""), view=view)
        except (SkillError, SlackApiError) as error:
            reference = _reference()
            log.warning(
                "the goal retro form did not open: %s (reference %s)", type(error).__name__, reference
            )
            message = (
                error.message(lang) if isinstance(error, SkillError) else _say("failed", lang, ref=reference)
            )
            client.chat_postEphemeral(channel=channel, user=user, text=escape(message))

    @app.view(CALLBACK_ID)
    def on_submit(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """Refuse what cannot be saved with a message per field (the modal stays open as typed);
        otherwise close it at once and file the retro on the job pool."""
        services = workspaces.for_context(context)
        meta = RetroMeta.from_json(str(view.get("private_metadata") or ""))
        text = submitted_text(view)
        problems = retro_problems(text)
        if problems:
            ack(response_action="errors", errors=submission_errors(problems, meta.lang))
            return
        ack()
        user = str((body.get("user") or {}).get("id") or "")
        start, end = meta.period()
        if not text.title.strip():
            title = (
                retro_title(meta.metric, start, end, meta.lang)
                if meta.metric and start and end
                else default_title(datetime.now(UTC).date(), meta.lang)
            )
            text = RetroText(title, text.goal, text.result, text.causes, text.lessons)
        new = NewRetro(text, meta.lang, meta.metric, start, end, user, meta.channel or user)
        services.jobs.submit(lambda: file_retro(services, client, new), name="retro-file")


def file_retro(services: Services, client: WebClient, new: NewRetro) -> Retro | None:
    """Save (one transaction), post in the channel, index; whatever fails, the person is told where
    the retro is and what to do, and nothing they typed is lost."""
    store = RetroStore(services.owners.engine)
    try:
        retro = store.save(new)
    except Exception:
        reference = _reference()
        log.exception("saving a retro failed (reference %s)", reference)
        notice = _say("not_saved", new.lang, ref=reference)
        _direct_message(client, new.author, retro_notice_message(notice, new.text, new.lang))
        return None
    post_error = _post(client, store, retro)
    indexed, index_reference = _index(services, store, retro)
    if post_error is not None:
        _tell_not_posted(client, retro, post_error, indexed)
    elif not indexed:
        text = _say("not_indexed", retro.lang, id=retro.id, ref=index_reference)
        _tell_privately(client, retro.channel, retro.author, notice_message(text))
    _index_earlier(services, store, retro.id)
    return retro


def _post(client: WebClient, store: RetroStore, retro: Retro) -> str | None:
    """Post and record the ts; the Slack error code (or a reference) when it could not be posted."""
    try:
        response = client.chat_postMessage(channel=retro.channel, **retro_message(retro))
    except SlackApiError as error:
        code = str(error.response.get("error") or "error")
        log.warning("posting retro %s in %s failed: %s", retro.id, retro.channel, code)
        return code
    except Exception:
        reference = _reference()
        log.exception("posting retro %s failed (reference %s)", retro.id, reference)
        return f"reference {reference}"
    store.mark_posted(retro.id, str(response.get("ts") or ""))
    return None


def _index(services: Services, store: RetroStore, retro: Retro) -> tuple[bool, str]:
    """(indexed, reference of the failure)."""
    reference = _reference()
    try:
        if index_retro(store, retro, retro_markdown(retro), services.knowledge.ingest):
            return True, ""
        log.warning("the index refused retro %s (reference %s)", retro.id, reference)
    except Exception:
        log.exception("indexing retro %s failed (reference %s)", retro.id, reference)
    return False, reference


def _index_earlier(services: Services, store: RetroStore, current_id: int) -> None:
    """Retros whose indexing failed before get another chance with each new one."""
    for earlier in store.not_indexed():
        if earlier.id != current_id:
            _index(services, store, earlier)


def _tell_not_posted(client: WebClient, retro: Retro, error: str, indexed: bool) -> None:
    lang = retro.lang
    place = f"<#{retro.channel}>" if _CHANNEL_ID.match(retro.channel) else _say("this_conversation", lang)
    fix = _say("invite", lang) if error in _NOT_A_MEMBER else ""
    notice = _say(
        "not_posted",
        lang,
        id=retro.id,
        indexed=_say("indexed", lang) if indexed else "",
        place=place,
        error=error,
        fix=fix,
    )
    _direct_message(client, retro.author, retro_notice_message(notice, retro.text, lang))


def _tell_privately(client: WebClient, channel: str, user: str, payload: dict[str, Any]) -> None:
    """Only to the person: ephemeral in the channel, else a direct message."""
    try:
        client.chat_postEphemeral(channel=channel, user=user, **payload)
    except SlackApiError:
        _direct_message(client, user, payload)


def _direct_message(client: WebClient, user: str, payload: dict[str, Any]) -> None:
    if not user:
        log.error("no one to tell about a retro: %s", payload.get("text"))
        return
    try:
        channel = client.conversations_open(users=user)["channel"]["id"]
        client.chat_postMessage(channel=channel, **payload)
    except SlackApiError as error:
        reference = _reference()
        log.error(
            "could not tell %s about their retro: %s (reference %s)",
            user,
            error.response.get("error"),
            reference,
        )
