"""`/ops feedback …`: file a text, or `stats [7d|30d]`, `export [7d|30d|all]`, `route CATEGORY #channel`,
`merge TARGET ITEM…`, `split ITEM`.

Export is for admins: it holds every item, also those filed from private channels and DMs.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.messages import say
from bot.feedback.blocks import category_label, filed_card, item_count, period_text, stats_message
from bot.feedback.export import feedback_csv
from bot.feedback.flows import Deliver, finish_filing, not_filed, prepare
from bot.feedback.service import PENDING
from bot.slack.admins import is_opsbot_admin, who_can
from bot.slack.blocks import failure_notice, notice_message
from bot.slack.files import Upload, share_files
from bot.slack.requests import SlashRequest
from bot.slack.text import escape
from bot.storage.feedback import FeedbackStore, Filed, NewFeedback
from knowledge.text import Lang, detect_language
from skills.errors import SkillError
from skills.feedback_categories import CATEGORIES, parse_category

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
STATS_DEFAULT_DAYS = 7
MANUAL_AFTER = 3
"""A how-to question asked this often in the period is proposed for the Q&A manual."""
_PERIOD = re.compile(r"^(\d{1,4})\s*(?:d|days?|天)$", re.IGNORECASE)
_ALL = ("all", "全部", "所有")
_STATS = ("stats", "统计")
_EXPORT = ("export", "导出")
_PERIOD_WORDS = (
    "day",
    "days",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "last",
    "today",
    "天",
    "周",
    "月",
    "年",
)
_CHANNEL = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$")
_OFF = ("off", "none", "关闭", "取消")
_MERGE = ("merge", "合并")
_SPLIT = ("split", "拆分")
_ITEM_NUMBERS = re.compile(r"(?:#?\d{1,9}[\s,，]*)*")
"""`12 15`, `#12 #15`, `12, 15`: anything else after merge/split is feedback text."""


def parse_period(text: str, default: int | None) -> int | str | None:
    """Days, None for all time, or "bad" when the text is not a period."""
    cleaned = text.strip().lower()
    if not cleaned:
        return default
    if cleaned in _ALL:
        return None
    match = _PERIOD.match(cleaned)
    if match and 0 < int(match.group(1)) <= 3660:
        return int(match.group(1))
    return "bad"


def feedback_command(services: Services, request: SlashRequest) -> None:
    word, _, args = request.rest.partition(" ")
    keyword = word.lower()
    lang = detect_language(request.rest or request.text)
    if not request.rest:
        request.ack(**notice_message(say("feedback_usage", lang)))
    elif keyword in _STATS + _EXPORT:
        default = STATS_DEFAULT_DAYS if keyword in _STATS else None
        period = parse_period(args, default)
        if period == "bad" and not _looks_like_a_period(args):
            _file(services, request, lang)  # "export to Excel fails…" is feedback, not a subcommand
        elif period == "bad":
            request.ack(**notice_message(say("feedback_period_usage", lang, word=escape(word))))
        elif keyword in _STATS:
            _stats(services, request, period, lang)  # type: ignore[arg-type]
        else:
            _export(services, request, period, lang)  # type: ignore[arg-type]
    elif keyword in ("route", "路由", "分派") and _looks_like_route(args):
        _route(services, request, args, lang)
    elif keyword in _MERGE + _SPLIT and _ITEM_NUMBERS.fullmatch(args.strip()):
        _correct_group(services, request, keyword in _SPLIT, _item_numbers(args), lang)
    else:
        _file(services, request, lang)


def _looks_like_a_period(args: str) -> bool:
    """`stats 90`, `stats month`, `export last`: a period got wrong, not a feedback text."""
    words = args.split()
    return len(words) == 1 and (any(c.isdigit() for c in args) or words[0].lower() in _PERIOD_WORDS)


FILING_BUDGET = 2.0
"""Seconds the command waits for its item to be saved: Slack drops a reply later than 3 seconds."""
_filing = ThreadPoolExecutor(max_workers=4, thread_name_prefix="opsbot-filing")
"""Saves filed items, apart from the job pool: a quick write never queues behind slow jobs."""


def _file(services: Services, request: SlashRequest, lang: Lang) -> None:
    """Save the item and answer with its card. When the database is too slow for Slack's 3 seconds,
    say so at once and confirm (or report the failure) through the response URL when it is done:
    the person never sees Slack's timeout for an item that was in fact filed, and does not file twice."""

    def deliver(payload: dict[str, Any]) -> None:
        request.respond(response_type="ephemeral", replace_original=True, **payload)

    try:
        body, customer = prepare(request.rest)
    except SkillError as error:
        request.ack(**notice_message(escape(error.message(lang))))
        return
    new = NewFeedback(
        dedupe_key=f"command:{request.trigger_id or uuid.uuid4().hex}",
        text=body,
        reporter=request.user,
        filed_by=request.user,
        source="command",
        lang=lang,
        customer=customer,
        channel=request.channel,
    )
    saving = _filing.submit(services.feedback.file, new)
    if not wait([saving], timeout=FILING_BUDGET).done:
        request.ack(**notice_message(say("feedback_filing_slow", lang)))
        saving.add_done_callback(lambda done: _filed_late(services, request, done, lang, deliver))
        return
    error = saving.exception()
    if error is not None:
        not_filed(lang, lambda payload: request.ack(**payload), error)
        return
    _confirm(services, request, saving.result(), lang, lambda payload: request.ack(**payload), deliver)


def _filed_late(
    services: Services, request: SlashRequest, saving: Future[Filed], lang: Lang, deliver: Deliver
) -> None:
    error = saving.exception()
    if error is not None:
        not_filed(lang, deliver, error)
        return
    _confirm(services, request, saving.result(), lang, deliver, deliver)


def _confirm(
    services: Services, request: SlashRequest, filed: Filed, lang: Lang, reply: Deliver, deliver: Deliver
) -> None:
    """Show the saved item with `reply`, then finish it (category, triage post) on the job pool."""
    pending = filed.item.method == PENDING.method
    if pending:
        reply(notice_message(say("feedback_pending", lang, id=str(filed.item.id))))
    else:
        reply(filed_card(filed, lang))
    services.jobs.submit(
        lambda: finish_filing(services, request.client, filed, lang, deliver, shown=not pending),
        name="feedback-command",
    )


def _since(days: int | None) -> datetime | None:
    return None if days is None else datetime.now(UTC) - timedelta(days=days)


def _stats(services: Services, request: SlashRequest, days: int | None, lang: Lang) -> None:
    request.ack(**notice_message(say("one_moment", lang)))

    def work() -> None:
        store = services.feedback.store
        since = _since(days)
        manual = store.top_groups(since, category="how_to", at_least=MANUAL_AFTER)
        payload = stats_message(
            store.counts(since), store.top_groups(since), days, lang, viewer=request.user, manual=manual
        )
        request.respond(response_type="ephemeral", replace_original=True, **payload)

    services.jobs.submit(_reporting_failures(work, request, lang), name="feedback-stats")


def _export(services: Services, request: SlashRequest, days: int | None, lang: Lang) -> None:
    request.ack(**notice_message(say("one_moment", lang)))

    def work() -> None:
        if not is_opsbot_admin(request.client, services.settings, request.user):
            text = say("feedback_export_not_admin", lang, who=who_can(services.settings, lang))
            request.respond(response_type="ephemeral", replace_original=True, **notice_message(text))
            return
        store = services.feedback.store
        items = store.items(since=_since(days))
        if not items:
            text = say("feedback_export_empty", lang, period=period_text(days, lang))
            request.respond(response_type="ephemeral", replace_original=True, **notice_message(text))
            return
        stamp = datetime.now(UTC).strftime("%Y%m%d")
        upload = Upload(
            f"feedback-{stamp}.csv",
            feedback_csv(items, store.group_firsts(i.group_id or i.id for i in items)),
            f"feedback {stamp}",
        )
        count = item_count(len(items), lang)
        comment = say("feedback_export_comment", lang, count=count, period=period_text(days, lang))
        try:
            direct = str(request.client.conversations_open(users=request.user)["channel"]["id"])
        except SlackApiError as error:
            failed = str(error.response.get("error") or "error")
        else:
            failed = share_files(request.client, direct, [upload], comment)
        if failed is None:
            text = say("feedback_export_sent", lang, count=count)
        else:
            text = say("feedback_export_failed", lang, error=failed)
        request.respond(response_type="ephemeral", replace_original=True, **notice_message(text))

    services.jobs.submit(_reporting_failures(work, request, lang), name="feedback-export")


def _looks_like_route(args: str) -> bool:
    first = args.split(" ", 1)[0]
    if not first:
        return True
    try:
        parse_category(first)
    except SkillError:
        return False
    return True


def _route(services: Services, request: SlashRequest, args: str, lang: Lang) -> None:
    store = services.feedback.store
    parts = args.split()
    if not parts:
        routes = store.routes()
        lines = [f"• {category_label(c, lang)} → <#{routes[c]}>" for c in CATEGORIES if c in routes]
        request.ack(**notice_message("\n".join(lines) if lines else say("feedback_no_routes", lang)))
        return
    if len(parts) != 2:
        request.ack(**notice_message(say("feedback_route_usage", lang)))
        return
    category = parse_category(parts[0])
    target = parts[1]
    turning_off = target.lower() in _OFF
    request.ack(**notice_message(say("one_moment", lang)))

    def work() -> None:
        channel = None if turning_off else _channel_id(request.client, target)
        if not is_opsbot_admin(request.client, services.settings, request.user):
            text = say("feedback_route_not_admin", lang, who=who_can(services.settings, lang))
        elif channel is None and not turning_off:
            text = say("feedback_route_channel", lang, given=escape(target))
        else:
            store.set_route(category, channel, request.user)
            label = category_label(category, lang)
            if channel is None:
                text = say("feedback_route_off", lang, label=label)
            else:
                text = say("feedback_route_set", lang, label=label, channel=channel)
        request.respond(response_type="ephemeral", replace_original=True, **notice_message(text))

    services.jobs.submit(_reporting_failures(work, request, lang), name="feedback-route")


def _item_numbers(args: str) -> list[int]:
    return [int(number) for number in re.findall(r"\d+", args)]


def _correct_group(
    services: Services, request: SlashRequest, split: bool, numbers: list[int], lang: Lang
) -> None:
    """`merge TARGET ITEM…` or `split ITEM`, by an admin: kept for good, counted at once."""
    if (split and len(numbers) != 1) or (not split and len(numbers) < 2):
        request.ack(**notice_message(say("feedback_group_usage", lang)))
        return
    request.ack(**notice_message(say("one_moment", lang)))
    store = services.feedback.store

    def work() -> None:
        if not is_opsbot_admin(request.client, services.settings, request.user):
            text = say("feedback_group_not_admin", lang, who=who_can(services.settings, lang))
        else:
            try:
                text = _regrouped(store, split, numbers, request.user, lang)
            except KeyError as missing:
                text = say("feedback_group_missing", lang, id=str(missing.args[0]))
        request.respond(response_type="ephemeral", replace_original=True, **notice_message(text))

    services.jobs.submit(_reporting_failures(work, request, lang), name="feedback-group")


def _regrouped(store: FeedbackStore, split: bool, numbers: list[int], user: str, lang: Lang) -> str:
    if split:
        store.split(numbers[0], user)
        return say("feedback_split", lang, id=str(numbers[0]))
    target, items = numbers[0], numbers[1:]
    group = store.view(store.merge(items, target, user))
    return say(
        "feedback_merged",
        lang,
        items=", ".join(f"#{n}" for n in items),
        target=str(target),
        count=str(group.group_size),
        customers=str(group.group_customers),
    )


def _channel_id(client: WebClient, token: str) -> str | None:
    """`<#C123|name>` (a picked channel), a channel id, or `#name` looked up among the channels."""
    match = _CHANNEL.match(token)
    if match:
        return match.group(1)
    if re.fullmatch(r"[CG][A-Z0-9]{6,}", token):
        return token
    name = token.removeprefix("#").lower()
    cursor = None
    try:
        while True:
            page = client.conversations_list(
                types="public_channel,private_channel", exclude_archived=True, limit=1000, cursor=cursor
            )
            for channel in page.get("channels") or []:
                if str(channel.get("name", "")).lower() == name:
                    return str(channel["id"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
    except SlackApiError as error:
        log.warning("could not list channels: %s", error.response.get("error"))
        return None


def _reporting_failures(work: Callable[[], None], request: SlashRequest, lang: Lang) -> Callable[[], None]:
    """The job, with any failure told to the user (with a reference to find it in the log)."""

    def run() -> None:
        try:
            work()
        except Exception:
            notice = failure_notice(log, "feedback command", lang, "feedback_failed")
            request.respond(response_type="ephemeral", replace_original=True, **notice)

    return run
