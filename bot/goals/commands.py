"""`/ops goal add|list|status|close` (目标 添加|列表|进度|关闭): goals from Slack, in the asker's
language. Adding takes key=value words, Chinese or English, and the period as FROM..TO:

    /ops goal add Q1 sales metric=sales target=1.2亿 2027-01-01..2027-03-31 owner=U0123ABCD client=Acme
    /ops 目标 添加 一季度销售 指标=sales 目标值=1.2亿 2027-01-01..2027-03-31

The owner is the person typing unless `owner=` gives a member ID; closing is for the
goal's owner or an opsbot admin. Replies are ephemeral: goals are work in progress.
"""

from __future__ import annotations

import logging
import shlex
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from slack_bolt import Respond
from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.core.messages import say
from bot.slack.admins import is_opsbot_admin
from bot.slack.blocks import failure_notice, notice_message
from bot.slack.requests import SlashRequest, owner_for, reply_language
from bot.slack.text import escape
from bot.storage.clients import ClientStore
from bot.storage.goals import GoalStore, goal_statuses
from bot.storage.metrics import MetricStore
from knowledge.text import detect_language
from skills.errors import Lang, SkillError
from skills.goals import Goal, GoalStatus, describe, funnel_goals, new_goal, owner_id
from skills.schedule import local_day, parse_zone
from skills.transactions_csv import parse_as_of

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

_ACTIONS = {
    "add": "add",
    "添加": "add",
    "list": "status",
    "列表": "status",
    "status": "status",
    "进度": "status",
    "close": "close",
    "关闭": "close",
}
_KEYS = {
    "metric": "metric",
    "指标": "metric",
    "target": "target",
    "目标值": "target",
    "from": "start",
    "开始": "start",
    "to": "end",
    "结束": "end",
    "owner": "owner",
    "负责人": "owner",
    "client": "client",
    "客户": "client",
}
_USAGE = SkillError(
    "Add a goal like `/ops goal add Q1 sales metric=sales target=1.2亿 2027-01-01..2027-03-31` "
    "(optional: owner=U0123ABCD client=Acme).",
    "这样添加目标:`/ops 目标 添加 一季度销售 指标=sales 目标值=1.2亿 2027-01-01..2027-03-31`"
    "(可选:负责人=U0123ABCD 客户=Acme)。",
)


def goal_command(services: Services, request: SlashRequest) -> None:
    word, _, rest = request.rest.partition(" ")
    lang: Lang = detect_language(request.rest or request.text)
    request.ack(**notice_message(say("one_moment", lang)))

    def work() -> None:
        nonlocal lang
        lang = reply_language(request.client, request.user, request.text, lang)
        try:
            text = _run(
                services, request, _ACTIONS.get(word.lower(), "status" if not word else ""), rest, lang
            )
        except SkillError as error:
            text = escape(error.message(lang))
        except Exception:
            notice = failure_notice(log, "goal command", lang, "feedback_failed")
            request.respond(response_type="ephemeral", replace_original=True, **notice)
            return
        request.respond(response_type="ephemeral", replace_original=True, **notice_message(text))

    services.jobs.submit(work, name="ops-goal")


def _run(services: Services, request: SlashRequest, action: str, rest: str, lang: Lang) -> str:
    engine = services.owners.engine
    goals, metrics = GoalStore(engine), MetricStore(engine)
    owner = owner_for(services.owners, request.client, request.user, services.settings.default_timezone)
    yesterday = local_day(datetime.now(UTC), parse_zone(owner.tz)) - timedelta(days=1)
    if action == "add":
        goal = _parse_goal(rest, request.user, engine, metrics)
        goals.add(goal)
        if goal.owner != request.user:  # known as an owner; their digest shows it once it is on
            owner_for(services.owners, request.client, goal.owner, services.settings.default_timezone)
        added = "已添加目标" if lang == "zh" else "Goal added"
        try:
            [status] = goal_statuses([goal], metrics, yesterday)
        except Exception:  # saved: a failure to show its pace must not read as "nothing changed"
            log.exception("the pace of a goal just added could not be shown")
            return f"{added}: {escape(goal.name)}"
        return f"{added}: {_line(status, lang)}"
    if action == "close":
        found = goals.find(rest).goal
        if found.owner != request.user and not is_opsbot_admin(
            request.client, services.settings, request.user
        ):
            raise SkillError(
                f"Only {found.owner or 'its owner'} or an opsbot admin can close {found.name!r}.",
                f"只有负责人或 opsbot 管理员可以关闭「{found.name}」。",
            )
        goals.close(found.name)
        return (
            f"已关闭目标「{escape(found.name)}」。"
            if lang == "zh"
            else f"Closed the goal {escape(found.name)!r}."
        )
    if action == "status":
        chosen = [goals.find(rest).goal] if rest.strip() else [stored.goal for stored in goals.goals()]
        if not chosen:
            raise SkillError("No open goals yet. " + _USAGE.en, "还没有进行中的目标。" + _USAGE.zh)
        title = f"*目标*(截至 {yesterday})" if lang == "zh" else f"*Goals* (as of {yesterday})"
        lines = [_line(status, lang) for status in goal_statuses(chosen, metrics, yesterday)]
        return "\n".join([title, *lines])
    raise _USAGE


def add_funnel_goals(
    services: Services,
    client: WebClient,
    respond: Respond,
    user: str,
    stages: Sequence[tuple[str, float]],
    spec: str,
    lang: Lang,
) -> None:
    """`/funnel … goals FROM..TO stage=U1 …`: one goal per named stage, all or none, told to the
    asker privately (the funnel table itself stays where it was posted)."""
    try:
        engine = services.owners.engine
        metrics, goals = MetricStore(engine), GoalStore(engine)
        made = funnel_goals(stages, spec, metrics.known(), user)
        goals.add_all(made)
        for goal in made:
            owner_for(services.owners, client, goal.owner, services.settings.default_timezone)
        yesterday = datetime.now(UTC).date() - timedelta(days=1)
        title = "已按漏斗添加目标" if lang == "zh" else "Goals added from the funnel"
        lines = [f"*{title}*", *(_line(status, lang) for status in goal_statuses(made, metrics, yesterday))]
        respond(response_type="ephemeral", text="\n".join(lines))
    except SkillError as error:
        respond(response_type="ephemeral", text=escape(error.message(lang)))
    except Exception:
        respond(response_type="ephemeral", **failure_notice(log, "funnel goals", lang, "feedback_failed"))


def _line(status: GoalStatus, lang: Lang) -> str:
    mark = "" if status.on_track else ":warning: "
    owner = f" · <@{status.goal.owner}>" if status.goal.owner else ""
    spark = f" `{status.sparkline}`" if status.sparkline else ""
    return f"{mark}{escape(describe(status, lang))}{spark}{owner}"


def _parse_goal(text: str, user: str, engine: Engine, metrics: MetricStore) -> Goal:
    """`NAME key=value … FROM..TO`; SkillError with the usage when a part is missing."""
    try:
        words = shlex.split(text)
    except ValueError:
        raise _USAGE from None
    fields: dict[str, str] = {}
    name: list[str] = []
    for word in words:
        key, equals, value = word.partition("=")
        if equals and key.lower() in _KEYS:
            fields[_KEYS[key.lower()]] = value
        elif ".." in word and "start" not in fields:
            fields["start"], _, fields["end"] = word.partition("..")
        else:
            name.append(word)
    if not name or not {"metric", "target", "start", "end"} <= fields.keys():
        raise _USAGE
    client = ClientStore(engine).find(fields["client"]).id if fields.get("client") else ""
    return new_goal(
        " ".join(name),
        fields["metric"],
        fields["target"],
        parse_as_of(fields["start"], "from"),
        parse_as_of(fields["end"], "to"),
        metrics.known(client),
        owner_id(fields["owner"]) if fields.get("owner") else user,
        client,
    )
