"""The Home tab as Block Kit: built from what the stores hold, in the person's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.core.messages import digest_schedule
from bot.slack.text import escape, truncate
from bot.storage.owners import Owner, Todo
from knowledge.text import Lang

DONE_ACTION = "home_todo_done"
TODOS_SHOWN = 20
QUESTIONS_SHOWN = 8

_TEXT: dict[str, dict[Lang, str]] = {
    "todos": {"en": "*Your to-dos*", "zh": "*你的待办*"},
    "no_todos": {
        "en": "Nothing on your list. Add one with `/ops todo add call Acme about the renewal`.",
        "zh": "清单是空的。可以用 `/ops todo add 给华星打电话谈续约` 添加。",
    },
    "more_todos": {"en": "… and {count} more: `/ops todo`", "zh": "… 还有 {count} 条:`/ops todo`"},
    "done": {"en": "Done", "zh": "完成"},
    "since": {"en": "since {day}", "zh": "{day} 起"},
    "digest": {"en": "*Morning digest*", "zh": "*晨间摘要*"},
    "next": {"en": "Next: {next}.", "zh": "下一次:{next}。"},
    "digest_none": {
        "en": "Off. `/ops digest on` sends you yesterday's numbers, complaints and to-dos each working morning.",
        "zh": "未开启。输入 `/ops digest on`,每个工作日早上收到昨天的数据、客诉和待办。",
    },
    "turn_on": {"en": "`/ops digest on` turns it back on.", "zh": "输入 `/ops digest on` 重新开启。"},
    "no_next": {"en": "none scheduled", "zh": "暂无"},
    "unanswered": {"en": "*Unanswered this week*", "zh": "*本周没答上的问题*"},
    "none_unanswered": {"en": "Every question this week had an answer.", "zh": "本周的问题都有答案。"},
    "asked": {"en": "asked {count}×", "zh": "问了 {count} 次"},
    "add_documents": {
        "en": "Add a document that answers them: send the file to opsbot in a DM, or share it in a channel "
        "and run `/ops learn`. `/ops answers` shows the 30 days.",
        "zh": "添加能回答它们的文档:私信把文件发给 opsbot,或在频道里分享后输入 `/ops learn`。`/ops answers` 查看近 30 天。",
    },
    "footer": {
        "en": "Ask in Messages, or mention @opsbot in a channel. `/ops help` lists everything.",
        "zh": "在「消息」里提问,或在频道里 @opsbot。输入 `/ops help` 查看全部用法。",
    },
}
_DAYS: dict[Lang, tuple[str, ...]] = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
}


def _say(key: str, lang: Lang, **values: object) -> str:
    return _TEXT[key][lang].format(**values)


@dataclass(frozen=True)
class UnansweredQuestion:
    question: str
    asked: int


@dataclass(frozen=True)
class HomeData:
    """What a person's Home tab shows; `unanswered` is None for people who are not admins."""

    owner: Owner | None
    today: date
    """The person's day, in their time zone."""
    todos: list[Todo]
    next_digest: datetime | None
    unanswered: list[UnansweredQuestion] | None


def home_view(data: HomeData, lang: Lang) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [_section(_say("todos", lang))]
    if not data.todos:
        blocks.append(_context(_say("no_todos", lang)))
    for todo in data.todos[:TODOS_SHOWN]:
        since = f"  _{_say('since', lang, day=todo.added_on.isoformat())}_" if _carried(todo, data) else ""
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"• {escape(truncate(todo.text, 280))}{since}"},
                "accessory": {
                    "type": "button",
                    "action_id": DONE_ACTION,
                    "value": str(todo.id),
                    "text": {"type": "plain_text", "text": _say("done", lang)},
                },
            }
        )
    if len(data.todos) > TODOS_SHOWN:
        blocks.append(_context(_say("more_todos", lang, count=len(data.todos) - TODOS_SHOWN)))
    blocks += [{"type": "divider"}, _section(f"{_say('digest', lang)}\n{_digest_line(data, lang)}")]
    if data.unanswered is not None:
        lines = [
            f"• {escape(truncate(q.question, 200))} ({_say('asked', lang, count=q.asked)})"
            for q in data.unanswered[:QUESTIONS_SHOWN]
        ] or [_say("none_unanswered", lang)]
        blocks += [
            {"type": "divider"},
            _section("\n".join([_say("unanswered", lang), *lines])),
            _context(_say("add_documents", lang)),
        ]
    blocks += [{"type": "divider"}, _context(_say("footer", lang))]
    return {"type": "home", "blocks": blocks}


def _carried(todo: Todo, data: HomeData) -> bool:
    """A to-do written before today (the person's own day) says when, as `/ops todo` does."""
    return todo.added_on < data.today


def _digest_line(data: HomeData, lang: Lang) -> str:
    """The settings as `/ops digest` states them, then when the next one comes (or how to turn it on)."""
    owner = data.owner
    if owner is None:
        return _say("digest_none", lang)
    settings = escape(
        digest_schedule(lang, owner.digest_at, owner.tz, owner.weekdays, owner.paused, owner.snoozed_until)
    )
    if owner.paused:
        return f"{settings}. {_say('turn_on', lang)}"
    when = data.next_digest
    upcoming = f"{_DAYS[lang][when.weekday()]} {when:%Y-%m-%d %H:%M}" if when else _say("no_next", lang)
    return f"{settings}. {_say('next', lang, next=upcoming)}"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}
