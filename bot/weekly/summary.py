"""The weekly summary from the stores: gathered for a week, its narrative polished by the model when
one is configured (numbers checked, else the template stands), shown as text or Block Kit; and
`/ops weekly [DAY]` (`/ops 周报`), which answers only the person who asked."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import Engine

from bot.core.config import load_holidays
from bot.core.drafts import polish_draft
from bot.core.llm import create_llm
from bot.core.messages import say
from bot.slack.blocks import Block, context, failure_notice, markdown, message, notice_message, section
from bot.slack.requests import SlashRequest, reply_language
from bot.slack.text import escape, truncate, unescape
from bot.storage.answer_log import AnswerLog
from bot.storage.clients import ClientStore
from bot.storage.feedback import FeedbackStore, as_utc
from bot.storage.goals import GoalStore, goal_statuses
from bot.storage.metrics import MetricStore
from bot.storage.owners import TodoStore
from knowledge.answer import LLMCall
from knowledge.text import detect_language
from skills.anomalies import HISTORY_DAYS
from skills.client_roster import SLACK_MEMBER_ID
from skills.errors import Lang, SkillError
from skills.goals import behind_first, describe
from skills.metrics_csv import DEFAULT_METRICS, metric_label
from skills.schedule import local_day, parse_zone
from skills.weekly import (
    AnswerQuality,
    DoneTodo,
    FeedbackEntry,
    MetricWeek,
    WeeklySummary,
    build_weekly,
    parse_week_of,
    summary_week,
)
from skills.weekly_draft import category_label, day_text, draft_facts, draft_text, metric_number, percent
from skills.wording import counted

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
"""How far before the week's Monday the series reach: the anomaly baselines look back eight weeks."""
ANOMALIES_SHOWN = 10
OWNERS_SHOWN = 15
GOALS_SHOWN = 15
PURPOSE: dict[Lang, str] = {
    "en": "a short weekly summary for the team's channel",
    "zh": "发到团队频道的简短周报",
}
_LAST_WEEK_WORDS = frozenset({"last", "last week", "上周", "上一周"})
_THIS_WEEK_WORDS = frozenset({"this", "this week", "本周", "这周"})
_OPTION_WORDS = frozenset({"--week-of", "week-of", "week", "of"})
_MENTION = re.compile(r"<@([A-Z0-9]+)>")

_TEXT: dict[str, dict[Lang, str]] = {
    "title": {"en": "*Weekly summary* — {week} ({first} – {last})", "zh": "*周报* —— {week}({first}–{last})"},
    "title_so_far": {
        "en": "*Weekly summary* — {week} so far ({first} – {last})",
        "zh": "*周报* —— {week} 截至目前({first}–{last})",
    },
    "numbers": {"en": "*Numbers*", "zh": "*数据*"},
    "sum": {"en": "week total", "zh": "周合计"},
    "mean": {"en": "daily average", "zh": "日均"},
    "metric": {
        "en": "• *{label}* ({how}): {this} · last week {last}{change} · 4 weeks ago {month}{month_change}",
        "zh": "• *{label}*({how}):{this} · 上周 {last}{change} · 四周前 {month}{month_change}",
    },
    "anomalies": {"en": "*Anomalies*", "zh": "*异常*"},
    "anomaly": {
        "en": "• {day}: {label} {direction} ({change} vs usual {baseline})",
        "zh": "• {day}:{label}{direction}(较往常 {baseline} {change})",
    },
    "more": {"en": "…and {count} more", "zh": "……还有 {count} 项"},
    "feedback": {"en": "*Feedback* ({total})", "zh": "*反馈*({total} 条)"},
    "answers": {
        "en": "*Questions to opsbot*\n{questions} answered, {unanswered} not answered; "
        "👍 {helpful} · 👎 {not_helpful} (`opsbot answers stats` lists the worst)",
        "zh": "*向 opsbot 提问*\n回答了 {answered} 个问题,{unanswered} 个没有答案;"
        "👍 {helpful} · 👎 {not_helpful}(`opsbot answers stats` 列出最差的问题)",
    },
    "repeated": {
        "en": "> {text} — {times}, {customer_count}",
        "zh": "> {text} —— {items} 次,{customers} 个客户",
    },
    "goals": {"en": "*Goals* (behind pace first)", "zh": "*目标*(落后的在前)"},
    "more_goals": {"en": "…and {count} more: `/ops goal`", "zh": "……还有 {count} 个:`/ops 目标`"},
    "todos": {"en": "*To-dos done*", "zh": "*已完成的待办*"},
    "owner_done": {"en": "• {owner}: {count} ({texts})", "zh": "• {owner}:{count} 条({texts})"},
    "renewals": {"en": "*Renewals in the next 30 days*", "zh": "*未来 30 天到期的合同*"},
    "renewal": {
        "en": "• {name} ({id}) — {when}, ARR {arr}, owner {owner}",
        "zh": "• {name}({id})—— {when},ARR {arr},负责人 {owner}",
    },
    "in_days": {"en": "in {days} days ({day})", "zh": "{days} 天后({day})"},
    "today": {"en": "ends today", "zh": "今天到期"},
    "none": {"en": "none", "zh": "无"},
    "nobody": {"en": "nobody", "zh": "未指定"},
    "template": {
        "en": "Written from the numbers above.",
        "zh": "根据以上数据生成。",
    },
    "llm": {
        "en": "Worded by the language model from the numbers above; every figure was checked.",
        "zh": "由语言模型根据以上数据润色,所有数字均已核对。",
    },
    "up": {"en": "up", "zh": "偏高"},
    "down": {"en": "down", "zh": "偏低"},
}


def _say(key: str, lang: Lang, **values: Any) -> str:
    return _TEXT[key][lang].format(**values)


@dataclass(frozen=True)
class WeeklyReport:
    """A summary with the narrative that goes with it, in one language."""

    summary: WeeklySummary
    draft: str
    method: str
    """"template" or "llm"."""
    lang: Lang

    def as_json(self) -> dict[str, Any]:
        return self.summary.as_json(self.draft, self.method)


def collect_weekly(
    engine: Engine,
    today: date,
    week_of: date | None,
    zone: ZoneInfo,
    holidays: frozenset[date] = frozenset(),
) -> WeeklySummary:
    """Everything the summary shows, for the week of `week_of` (else the last complete week) as
    seen from `zone`: feedback counts from that zone's Monday 00:00 to the next Monday 00:00."""
    start = summary_week(today, week_of)
    end = start + timedelta(days=6)
    metrics = MetricStore(engine)
    names = set(DEFAULT_METRICS) | set(metrics.metrics(""))
    since = start - timedelta(days=HISTORY_DAYS)
    series = {name: values for name in names if (values := metrics.series(name, since, end))}
    # The store keeps UTC: compare in UTC (a local midnight would be read as a UTC one).
    opens = datetime.combine(start, time(0), tzinfo=zone).astimezone(UTC)
    closes = datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    feedback = [
        FeedbackEntry(item.id, item.text, item.category, item.customer, item.group_id)
        for item in FeedbackStore(engine).items(since=opens)
        if as_utc(item.filed_at) < closes
    ]
    done = [
        DoneTodo(todo.owner, todo.text, todo.done_on)
        for todo in TodoStore(engine).done_between(start, end)
        if todo.done_on is not None
    ]
    clients = ClientStore(engine).with_contract_end()
    asked = AnswerLog(engine).stats(opens, worst=0, until=closes)
    answers = AnswerQuality(asked.answered, asked.unanswered, asked.helpful, asked.not_helpful)
    summary = build_weekly(today, start, series, feedback, done, clients, holidays, answers=answers)
    goals = [stored.goal for stored in GoalStore(engine).goals()]
    return replace(summary, goals=behind_first(goal_statuses(goals, metrics, summary.last_day)))


def compose(summary: WeeklySummary, lang: Lang, llm: LLMCall | None) -> WeeklyReport:
    """The summary with its narrative: the template, or the model's rewrite when its numbers hold."""
    polished = polish_draft(llm, draft_text(summary, lang), draft_facts(summary), lang, PURPOSE[lang])
    return WeeklyReport(summary, polished.text, polished.method, lang)


def _value(metric: str, value: float | None) -> str:
    return "—" if value is None else metric_number(metric, value)


def _change(value: float | None) -> str:
    return "" if value is None else f" ({percent(value)})"


def _person(owner: str, lang: Lang) -> str:
    """A Slack member id becomes a mention; anything else the roster held is shown as text."""
    if not owner.strip():
        return _say("nobody", lang)
    return f"<@{owner}>" if SLACK_MEMBER_ID.match(owner) else escape(owner)


def _metric_line(line: MetricWeek, lang: Lang) -> str:
    return _say(
        "metric",
        lang,
        label=escape(line.label(lang)),
        how=_say(line.aggregation, lang),
        this=_value(line.metric, line.this_week),
        last=_value(line.metric, line.last_week),
        change=_change(line.change_pct),
        month=_value(line.metric, line.same_week_last_month),
        month_change=_change(line.vs_last_month_pct),
    )


def detail_sections(report: WeeklyReport) -> list[str]:
    """The numbers behind the narrative, one mrkdwn section each (escaped: names come from imports)."""
    summary, lang = report.summary, report.lang
    parts = [
        "\n".join([_say("numbers", lang), *(_metric_line(m, lang) for m in summary.metrics)])
        if summary.metrics
        else ""
    ]
    if summary.anomalies:
        lines = [_say("anomalies", lang)]
        for anomaly in summary.anomalies[:ANOMALIES_SHOWN]:
            lines.append(
                _say(
                    "anomaly",
                    lang,
                    day=day_text(anomaly.day, lang),
                    label=escape(metric_label(anomaly.metric, lang)),
                    direction=_say(anomaly.direction or "up", lang),
                    change=percent(anomaly.change_pct) if anomaly.change_pct is not None else "?",
                    baseline=_value(anomaly.metric, anomaly.baseline),
                )
            )
        if len(summary.anomalies) > ANOMALIES_SHOWN:
            lines.append(_say("more", lang, count=len(summary.anomalies) - ANOMALIES_SHOWN))
        parts.append("\n".join(lines))
    feedback = summary.feedback
    if feedback.total:
        counts = ("、" if lang == "zh" else ", ").join(
            f"{category_label(category, lang)} {count}" for category, count in feedback.by_category.items()
        )
        lines = [_say("feedback", lang, total=feedback.total), escape(counts)]
        lines.extend(
            _say(
                "repeated",
                lang,
                text=escape(top.text),
                items=top.items,
                customers=top.customers,
                times=counted(top.items, "time"),
                customer_count=counted(top.customers, "customer"),
            )
            for top in feedback.top
        )
        parts.append("\n".join(lines))
    answers = summary.answers
    if answers is not None and (answers.answered or answers.unanswered):
        parts.append(
            _say(
                "answers",
                lang,
                answered=answers.answered,
                questions=counted(answers.answered, "question"),
                unanswered=answers.unanswered,
                helpful=answers.helpful,
                not_helpful=answers.not_helpful,
            )
        )
    if summary.goals:
        lines = [_say("goals", lang)]
        lines.extend(
            f"{'' if status.on_track else ':warning: '}{escape(describe(status, lang))}"
            + (f" · {_person(status.goal.owner, lang)}" if status.goal.owner else "")
            for status in summary.goals[:GOALS_SHOWN]
        )
        if len(summary.goals) > GOALS_SHOWN:
            lines.append(_say("more_goals", lang, count=len(summary.goals) - GOALS_SHOWN))
        parts.append("\n".join(lines))
    if summary.todos_done:
        lines = [_say("todos", lang)]
        for owner in summary.todos_done[:OWNERS_SHOWN]:
            texts = escape("; ".join(truncate(text, 80) for text in owner.texts))
            lines.append(
                _say("owner_done", lang, owner=_person(owner.owner, lang), count=owner.count, texts=texts)
            )
        parts.append("\n".join(lines))
    if summary.renewals:
        lines = [_say("renewals", lang)]
        for renewal in summary.renewals:
            when = (
                _say("in_days", lang, days=renewal.days, day=renewal.contract_end.isoformat())
                if renewal.days
                else _say("today", lang)
            )
            lines.append(
                _say(
                    "renewal",
                    lang,
                    name=escape(renewal.name or renewal.client_id),
                    id=escape(renewal.client_id),
                    when=when,
                    arr=_value("arr", renewal.arr),
                    owner=_person(renewal.owner, lang),
                )
            )
        parts.append("\n".join(lines))
    return [part for part in parts if part]


def _title(report: WeeklyReport) -> str:
    summary, lang = report.summary, report.lang
    return _say(
        "title_so_far" if summary.partial else "title",
        lang,
        week=summary.week_label,
        first=day_text(summary.week_start, lang),
        last=day_text(summary.last_day, lang),
    )


def weekly_message(report: WeeklyReport) -> dict[str, Any]:
    """The summary as a Slack message: title and narrative first, then the numbers behind it. The
    narrative is escaped like any text we did not write ourselves (client names, a model's words); a
    model's narrative may use Markdown, so it goes into Slack's markdown block."""
    narrative = markdown(escape(report.draft)) if report.method == "llm" else section(escape(report.draft))
    blocks: list[Block] = [section(_title(report)), narrative]
    blocks.extend(section(part) for part in detail_sections(report))
    blocks.append(
        context(_say(report.method if report.method in ("llm", "template") else "template", report.lang))
    )
    return message(f"{_title(report)}\n{escape(report.draft)}", blocks)


def render_text(report: WeeklyReport) -> str:
    """The summary for a terminal: the same parts as in Slack, without the markup."""
    parts = [_title(report), report.draft, *detail_sections(report)]
    plain = _MENTION.sub(r"@\1", "\n\n".join(parts).replace("*", ""))
    return unescape(plain)


# -- /ops weekly ------------------------------------------------------------------------------------


def week_of_words(words: str, today: date) -> date | None:
    """What `/ops weekly …` asks for: nothing or "last week" → the default, "this week" → today's
    week, otherwise a day (or ISO week) of the wanted week; `--week-of` may precede it."""
    tokens = [token for token in words.split() if token.lower() not in _OPTION_WORDS]
    wanted = " ".join(tokens).strip()
    if not wanted or wanted.lower() in _LAST_WEEK_WORDS:
        return None
    if wanted.lower() in _THIS_WEEK_WORDS:
        return today
    return parse_week_of(wanted)


def _user_zone(services: Services, client: WebClient, user: str) -> ZoneInfo:
    """The person's time zone: theirs as a digest owner, else their Slack profile's, else the team's."""
    owner = services.owners.get(user)
    if owner is not None:
        return parse_zone(owner.tz)
    try:
        zone = client.users_info(user=user)["user"].get("tz")
        if zone:
            return parse_zone(str(zone))
    except (SlackApiError, SkillError) as error:
        log.info("no usable time zone for %s (%s)", user, type(error).__name__)
    return parse_zone(services.settings.default_timezone)


def weekly_command(services: Services, request: SlashRequest) -> None:
    lang = detect_language(request.text)
    request.ack(**notice_message(say("one_moment", lang)))

    def work() -> None:
        nonlocal lang
        lang = reply_language(request.client, request.user, request.text, lang)
        try:
            zone = _user_zone(services, request.client, request.user)
            today = local_day(datetime.now(UTC), zone)
            week_of = week_of_words(request.rest, today)
            summary = collect_weekly(
                services.owners.engine, today, week_of, zone, load_holidays(services.settings)
            )
            payload = weekly_message(compose(summary, lang, create_llm(services.settings)))
        except SkillError as error:
            payload = notice_message(f":warning: {escape(error.message(lang))}")
        except Exception:
            payload = failure_notice(log, "weekly command", lang, "feedback_failed")
        request.respond(response_type="ephemeral", replace_original=True, **payload)

    services.jobs.submit(work, name="ops-weekly")
