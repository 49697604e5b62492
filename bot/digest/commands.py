"""`/ops digest off|on|snooze 3d|at 08:30|days mon-fri|tz Asia/Shanghai`, and the Done buttons on
to-dos in the digest."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.core.config import load_holidays
from bot.core.messages import digest_schedule, say
from bot.digest.blocks import ANALYSE_ACTION, TODO_ACTION
from bot.digest.scheduler import KIND
from bot.slack.blocks import failure_notice, notice_message
from bot.slack.requests import SlashRequest, owner_for, reply_language
from bot.slack.text import escape
from bot.storage.delivery_log import DeliveryLog
from bot.storage.owners import Owner, OwnerChanges
from knowledge.documents import load_playbook
from knowledge.text import Lang, detect_language
from skills.errors import SkillError
from skills.metrics_csv import DEFAULT_METRICS
from skills.schedule import local_day, parse_zone, snooze_until

if TYPE_CHECKING:
    from bot.services import Services
    from bot.workspaces import Workspaces

log = logging.getLogger(__name__)
ANOMALY_CHECKLIST = "daily.anomaly-checklist"
_SNOOZE = re.compile(r"^(\d{1,3})\s*(?:d|days?|天)$", re.IGNORECASE)


def _changes(
    words: list[str],
    first_digest_day: date,
    working_days: frozenset[int],
    holidays: frozenset[date] = frozenset(),
) -> OwnerChanges:
    """What `/ops digest …` asks for; SkillError with the usage for anything else. `snooze 3d`
    skips the next three digests, from `first_digest_day` (today, unless today's was sent); team
    holidays have no digest, so they do not count."""
    keyword = words[0].lower() if words else ""
    argument = " ".join(words[1:])
    if keyword in ("off", "关闭", "暂停"):
        return OwnerChanges(paused=True)
    if keyword in ("on", "开启", "恢复"):
        return OwnerChanges(paused=False, clear_snooze=True)
    if keyword in ("snooze", "推迟") and (match := _SNOOZE.match(argument.strip())):
        return OwnerChanges(
            snoozed_until=snooze_until(first_digest_day, int(match.group(1)), working_days, holidays)
        )
    if keyword in ("at", "时间") and argument:
        return OwnerChanges(digest_at=argument)
    if keyword in ("days", "工作日") and argument:
        return OwnerChanges(working_days=argument)
    if keyword in ("tz", "时区") and argument:
        return OwnerChanges(tz=argument)
    raise SkillError(
        "Use `/ops digest off`, `on`, `snooze 3d`, `at 08:30`, `days mon-fri` or `tz Asia/Shanghai`.",
        "用法:`/ops digest off`、`on`、`snooze 3d`、`at 08:30`、`days 周一至周五` 或 `tz Asia/Shanghai`。",
    )


def digest_command(services: Services, request: SlashRequest) -> None:
    lang = detect_language(request.rest or request.text)
    request.ack(**notice_message(say("one_moment", lang)))

    def work() -> None:
        nonlocal lang
        lang = reply_language(request.client, request.user, request.rest, lang)
        try:
            owner = owner_for(
                services.owners, request.client, request.user, services.settings.default_timezone
            )
            today = local_day(datetime.now(UTC), parse_zone(owner.tz))
            if request.rest:
                last = DeliveryLog(services.owners.engine).last_sent(request.user, KIND)
                first = today + timedelta(days=1) if last is not None and last.day == today else today
                holidays = load_holidays(services.settings)
                changes = _changes(request.rest.split(), first, owner.weekdays, holidays)
                owner = services.owners.change(request.user, changes)
            payload = notice_message(_settings_text(owner, lang))
        except SkillError as error:
            payload = notice_message(escape(error.message(lang)))  # it may quote what was typed
        except Exception:
            payload = failure_notice(log, "digest command", lang, "feedback_failed")
        request.respond(response_type="ephemeral", replace_original=True, **payload)

    services.jobs.submit(work, name="ops-digest")


def _settings_text(owner: Owner, lang: Lang) -> str:
    """The owner's digest settings; when it is off, how to turn it on."""
    text = digest_schedule(lang, owner.digest_at, owner.tz, owner.weekdays, owner.paused, owner.snoozed_until)
    return text + say("digest_turn_on", lang) if owner.paused else text


def register(app: App, workspaces: Workspaces) -> None:
    @app.action(TODO_ACTION)
    def on_done(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
    ) -> None:
        """Mark the owner's to-do done and tick it off in the digest (someone else's: nothing)."""
        services = workspaces.for_context(context)
        user = (body.get("user") or {}).get("id", "")
        todo_id = str(action.get("value", ""))
        ack()
        owner = services.owners.get(user)
        try:
            if owner is None or not todo_id.isdigit():
                raise SkillError("That to-do is not in your list.", "你的清单里没有这条待办。")
            today = local_day(datetime.now(UTC), parse_zone(owner.tz))
            todo = services.todos.mark_done(user, int(todo_id), today)
        except SkillError as error:
            notice = notice_message(f"{error.en} / {error.zh}")
            services.jobs.submit(
                lambda: respond(response_type="ephemeral", replace_original=False, **notice),
                name="todo-refused",
            )
            return
        message = body.get("message") or {}
        blocks = [_ticked(block, todo_id) for block in message.get("blocks") or []]
        if blocks:
            services.jobs.submit(
                lambda: respond(replace_original=True, text=message.get("text") or "", blocks=blocks),
                name="todo-done",
            )
        log.info("to-do %s done by %s", todo.id, user)

    @app.action(ANALYSE_ACTION)
    def on_analyse(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        respond: Respond,
        context: BoltContext,
    ) -> None:
        """Open a thread under the digest with the checklist, and put the analysis on the to-do list."""
        services = workspaces.for_context(context)
        ack()
        try:
            chosen = json.loads(str(action.get("value", "")))
            metric, day = str(chosen["metric"]), str(chosen["day"])
            direction, lang = (
                str(chosen.get("direction") or ""),
                ("zh" if chosen.get("lang") == "zh" else "en"),
            )
        except (ValueError, KeyError, TypeError):
            return
        user = (body.get("user") or {}).get("id", "")
        channel = (body.get("channel") or {}).get("id") or user
        thread_ts = (body.get("message") or {}).get("ts")

        def work() -> None:
            try:
                client.chat_postMessage(
                    channel=channel, thread_ts=thread_ts, text=analysis_thread(metric, day, direction, lang)
                )
                owner = services.owners.get(user)
                if owner is not None and metric:
                    label = DEFAULT_METRICS.get(metric, {}).get(lang, metric)
                    today = local_day(datetime.now(UTC), parse_zone(owner.tz))
                    services.todos.add(user, say("analysis_todo", lang, metric=label, day=day), today)
            except Exception:
                notice = failure_notice(log, "starting the analysis", lang, "feedback_failed")
                respond(response_type="ephemeral", replace_original=False, **notice)

        services.jobs.submit(work, name="digest-analyse")


def analysis_thread(metric: str, day: str, direction: str, lang: Lang) -> str:
    """The playbook's anomaly checklist, headed by what moved."""
    section = next((s for s in load_playbook() if s.section_id == ANOMALY_CHECKLIST and s.lang == lang), None)
    label = DEFAULT_METRICS.get(metric, {}).get(lang, metric)
    arrow = {"up": "↑", "down": "↓"}.get(direction, "")
    heading = say("analysis_heading", lang, metric=escape(label), arrow=arrow, day=day)
    checklist = section.body if section is not None else ""
    return f"*{heading}*\n{escape(checklist)}"


def _ticked(block: dict[str, Any], todo_id: str) -> dict[str, Any]:
    accessory = block.get("accessory") or {}
    if accessory.get("action_id") != TODO_ACTION or accessory.get("value") != todo_id:
        return block
    text = block["text"]["text"].removeprefix("• ")
    return {"type": "section", "text": {"type": "mrkdwn", "text": f":white_check_mark: ~{text}~"}}
