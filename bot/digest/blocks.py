"""The morning digest as a Block Kit DM: to-dos (with Done buttons), yesterday's numbers with
anomalies first, and new feedback. Pure: a Digest in, a payload out."""

from __future__ import annotations

import json
from typing import Any

from bot.slack.actions import GOAL_RETRO_ACTION
from bot.slack.blocks import Block, context, message, section
from bot.slack.text import escape, mention, truncate
from knowledge.text import Lang
from skills.digest import Complaint, Digest, MetricLine
from skills.goals import describe
from skills.health import STATUS_MARK, StatusChange
from skills.metrics_csv import format_metric_value
from skills.wording import counted

TODO_ACTION = "todo_done"
ANALYSE_ACTION = "digest_analyse"
ANOMALIES_SHOWN = 10
AT_RISK_SHOWN = 8
RETROS_SHOWN = 5
REASONS_SHOWN = 2
_STATUS_WORD = {
    "en": {"green": "green", "yellow": "yellow", "red": "red"},
    "zh": {"green": "绿", "yellow": "黄", "red": "红"},
}
TODOS_SHOWN = 15

_TEXT: dict[str, dict[Lang, str]] = {
    "greeting": {
        "en": "*Good morning {user}* — {day:%A, %b %d}",
        "zh": "*{user} 早上好* —— {day:%m月%d日}",
    },
    "todos": {"en": "*Today's to-dos*", "zh": "*今天的待办*"},
    "no_todos": {
        "en": "Your list is empty. Write today's to-dos first: `/ops todo add …`",
        "zh": "清单是空的。先写下今天的待办:`/ops todo add …`",
    },
    "more_todos": {"en": "…and {count} more: `/ops todo`", "zh": "……还有 {count} 条:`/ops todo`"},
    "carried": {"en": " _(carried over)_", "zh": " _(延续)_"},
    "done": {"en": "Done", "zh": "完成"},
    "numbers": {"en": "*Yesterday's numbers* ({day})", "zh": "*昨天的数据*({day})"},
    "holiday": {
        "en": "{day} was a team holiday: its numbers are shown, not judged against normal days.",
        "zh": "{day} 是团队假期:数据照常列出,但不与平常的日子比较。",
    },
    "no_numbers": {
        "en": "No numbers yet: import them with `opsbot metrics import FILE.csv`.",
        "zh": "还没有数据:用 `opsbot metrics import FILE.csv` 导入。",
    },
    "anomaly": {
        "en": ":rotating_light: *{label}*: {value} ({change} vs usual {baseline})",
        "zh": ":rotating_light: *{label}*:{value}(较往常 {baseline} {change})",
    },
    "feedback": {
        "en": "*New feedback since your last digest*: {new}{complaints}",
        "zh": "*上次摘要以来的新反馈*:{new} 条{complaints}",
    },
    "goals": {"en": "*Your goals* (behind pace first)", "zh": "*你的目标*(落后的在前)"},
    "at_risk": {"en": "*Clients to look at*", "zh": "*需要关注的客户*"},
    "retros_due": {
        "en": "*Goals that ended*: what happened, and what to keep? Write the retrospective.",
        "zh": "*已结束的目标*:结果如何,有什么值得沉淀?写个复盘吧。",
    },
    "write_retro": {"en": "Write the retrospective", "zh": "写复盘"},
    "more_at_risk": {"en": "…and {count} more: `opsbot health`", "zh": "……还有 {count} 个:`opsbot health`"},
    "complaints": {"en": ", {count} complaints", "zh": ",其中客诉 {count} 条"},
    "raised": {"en": "raised {times} times by {customers}", "zh": "同一问题已提 {times} 次,{count} 个客户"},
    "raised_no_customers": {"en": "raised {times} times", "zh": "同一问题已提 {times} 次"},
    "analyse": {"en": "Start the analysis", "zh": "开始分析"},
    "more_anomalies": {
        "en": "…and {count} more anomalies: `opsbot metrics check`",
        "zh": "……还有 {count} 项异常:`opsbot metrics check`",
    },
    "summary": {
        "en": "{todos} to-dos, {anomalies} anomalies, {feedback} new feedback",
        "zh": "{todos} 条待办,{anomalies} 项异常,{feedback} 条新反馈",
    },
}


def at_risk_line(change: StatusChange, lang: Lang) -> str:
    """One client: status, name, score, what it was, and its biggest reasons (plain text)."""
    health = change.health
    reasons = ("; " if lang == "en" else ";").join(r.evidence(lang) for r in health.reasons[:REASONS_SHOWN])
    was = ""
    if change.before is not None and change.before != health.status:
        word = _STATUS_WORD[lang][change.before]
        was = f", was {word}" if lang == "en" else f",之前为{word}"
    head = f"{STATUS_MARK[health.status]} {health.name} ({health.client}) {health.score}{was}"
    return f"{head}{': ' if lang == 'en' else ':'}{reasons}" if reasons else head


def _italic(text: str) -> str:
    return f" _{text.strip()}_" if text else ""


def raised_text(complaint: Complaint, lang: Lang) -> str:
    """How often a complaint's problem was raised, when more than once (a signal, not an incident):
    " (raised 3 times by 2 customers)", or "" for a first complaint."""
    if complaint.times < 2:
        return ""
    if not complaint.customers:
        said = _say("raised_no_customers", lang, times=complaint.times)
    else:
        customers = counted(complaint.customers, "customer")
        said = _say("raised", lang, times=complaint.times, customers=customers, count=complaint.customers)
    return f" ({said})" if lang == "en" else f"({said})"


def _say(key: str, lang: Lang, **values: Any) -> str:
    return _TEXT[key][lang].format(**values)


def _change(line: MetricLine) -> str:
    return "" if line.change_pct is None else f"{line.change_pct:+.1f}%"


def digest_message(digest: Digest, lang: Lang) -> dict[str, Any]:
    blocks: list[Block] = [section(_say("greeting", lang, user=mention(digest.owner), day=digest.day))]
    blocks.append(section(_say("todos", lang)))
    open_todos = [todo for todo in digest.todos if not todo.done]
    if not open_todos:
        blocks.append(context(_say("no_todos", lang)))
    for todo in open_todos[:TODOS_SHOWN]:
        carried = _say("carried", lang) if todo.carried_over else ""
        block = section(f"• {escape(truncate(todo.text, 500))}{carried}")
        block["accessory"] = {
            "type": "button",
            "action_id": TODO_ACTION,
            "text": {"type": "plain_text", "text": _say("done", lang)},
            "value": str(todo.id),
        }
        blocks.append(block)
    if len(open_todos) > TODOS_SHOWN:
        blocks.append(context(_say("more_todos", lang, count=len(open_todos) - TODOS_SHOWN)))
    blocks.append(section(_say("numbers", lang, day=digest.reviewed_day)))
    if not digest.metrics:
        blocks.append(context(_say("no_numbers", lang)))
    elif digest.reviewed_holiday:
        blocks.append(context(_say("holiday", lang, day=digest.reviewed_day)))
    for line in digest.anomalies[:ANOMALIES_SHOWN]:
        text = _say(
            "anomaly",
            lang,
            label=escape(line.label(lang)),
            value=format_metric_value(line.metric, line.value),
            change=_change(line),
            baseline=format_metric_value(line.metric, line.baseline),
        )
        block = section(f"{text} `{line.trend}`\n{line.why(lang)}")
        block["accessory"] = {
            "type": "button",
            "action_id": ANALYSE_ACTION,
            "style": "danger",
            "text": {"type": "plain_text", "text": _say("analyse", lang)},
            "value": json.dumps(
                {
                    "metric": line.metric[:200],
                    "day": digest.reviewed_day.isoformat(),
                    "direction": line.direction,
                    "lang": lang,
                },
                ensure_ascii=False,
            ),
        }
        blocks.append(block)
    if len(digest.anomalies) > ANOMALIES_SHOWN:
        blocks.append(context(_say("more_anomalies", lang, count=len(digest.anomalies) - ANOMALIES_SHOWN)))
    usual = [line for line in digest.metrics if not line.anomaly]
    if usual:
        rows = [
            f"{escape(m.label(lang))}: {format_metric_value(m.metric, m.value)} {_change(m)} `{m.trend}`".rstrip()
            for m in usual
        ]
        blocks.append(section("\n".join(rows)))
    if digest.goals:
        rows = [_say("goals", lang)]
        rows.extend(
            f"{':warning: ' if not status.on_track else ''}{escape(describe(status, lang))} `{status.sparkline}`"
            if status.sparkline
            else escape(describe(status, lang))
            for status in digest.goals
        )
        blocks.append(section("\n".join(rows)))
    if digest.retros_due:
        blocks.append(section(_say("retros_due", lang)))
        for status in digest.retros_due[:RETROS_SHOWN]:
            block = section(escape(describe(status, lang)))
            block["accessory"] = {
                "type": "button",
                "action_id": GOAL_RETRO_ACTION,
                "text": {"type": "plain_text", "text": _say("write_retro", lang)},
                "value": status.goal.name[:2000],
            }
            blocks.append(block)
    if digest.clients_at_risk:
        rows = [_say("at_risk", lang)]
        rows.extend(escape(at_risk_line(change, lang)) for change in digest.clients_at_risk[:AT_RISK_SHOWN])
        if len(digest.clients_at_risk) > AT_RISK_SHOWN:
            rows.append(_say("more_at_risk", lang, count=len(digest.clients_at_risk) - AT_RISK_SHOWN))
        blocks.append(section("\n".join(rows)))
    feedback = digest.feedback
    complaints = (
        _say("complaints", lang, count=feedback.by_category.get("complaint", 0))
        if feedback.complaints
        else ""
    )
    lines = [_say("feedback", lang, new=feedback.new, complaints=complaints)]
    lines.extend(
        f"> {escape(truncate(c.text, 200))}{_italic(raised_text(c, lang))}" for c in feedback.complaints
    )
    blocks.append(section("\n".join(lines)))
    summary = _say(
        "summary", lang, todos=len(open_todos), anomalies=len(digest.anomalies), feedback=feedback.new
    )
    return message(summary, blocks)
