"""`/ops todo` (the list), `/ops todo add TEXT`, `/ops todo done N`: each owner's private to-dos."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from bot.core.messages import say
from bot.slack.blocks import failure_notice, notice_message
from bot.slack.requests import SlashRequest, owner_for, reply_language
from bot.slack.text import escape
from bot.storage.owners import Todo, TodoStore
from knowledge.text import Lang, detect_language
from skills.errors import SkillError
from skills.schedule import local_day, parse_zone

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)


def todo_lines(todos: list[Todo], today: date, lang: Lang) -> str:
    """Numbered as `/ops todo done N` expects; carried-over items show the day they were written."""
    lines = []
    for number, todo in enumerate(todos, start=1):
        since = ""
        if todo.added_on < today:
            since = f" _(since {todo.added_on:%b %d})_" if lang == "en" else f" _(自 {todo.added_on:%m-%d})_"
        lines.append(f"{number}. {escape(todo.text)}{since}")
    return "\n".join(lines)


def todo_command(services: Services, request: SlashRequest) -> None:
    word, _, rest = request.rest.partition(" ")
    lang = detect_language(request.rest or request.text)
    request.ack(**notice_message(say("one_moment", lang)))

    def work() -> None:
        nonlocal lang
        lang = reply_language(request.client, request.user, request.rest, lang)
        owners, todos = services.owners, services.todos
        changed = False  # once the change is saved, a failure after it must not say "nothing changed"
        try:
            owner = owner_for(owners, request.client, request.user, services.settings.default_timezone)
            today = local_day(datetime.now(UTC), parse_zone(owner.tz))
            keyword = word.lower()
            if keyword in ("add", "添加", "加"):
                todos.add(request.user, rest, today)
            elif keyword in ("done", "完成"):
                _done(todos, request.user, rest, today)
            elif keyword:
                todos.add(request.user, request.rest, today)  # `/ops todo call Acme` adds it too
            changed = bool(keyword)
            open_items = todos.open_items(request.user)
            text = todo_lines(open_items, today, lang) if open_items else say("todo_empty", lang)
            title = say("todo_title", lang)
            request.respond(
                response_type="ephemeral", replace_original=True, **notice_message(f"*{title}*\n{text}")
            )
        except SkillError as error:
            request.respond(
                response_type="ephemeral",
                replace_original=True,
                **notice_message(escape(error.message(lang))),
            )
        except Exception:
            key = "todo_saved_unlisted" if changed else "feedback_failed"
            notice = failure_notice(log, "to-do command", lang, key)
            request.respond(response_type="ephemeral", replace_original=True, **notice)

    services.jobs.submit(work, name="ops-todo")


def _done(todos: TodoStore, user: str, number_text: str, today: date) -> None:
    """`done 2`: the second item of the list as shown (not a database id)."""
    open_items = todos.open_items(user)
    number = number_text.strip().lstrip("#")
    if not number.isdigit() or not 1 <= int(number) <= len(open_items):
        raise SkillError(
            f"Give the number from your list, e.g. `/ops todo done 1` (you have {len(open_items)} open).",
            f"请写清单里的序号,例如 `/ops todo done 1`(你有 {len(open_items)} 条未完成)。",
        )
    todos.mark_done(user, open_items[int(number) - 1].id, today)
