"""The Home tab, end to end: opened, published with the person's to-dos and digest, ticked off with
Done, and for admins the week's unanswered questions; the Messages tab gets suggested prompts."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from bot.home.view import DONE_ACTION
from tests.bot.conftest import Running
from tests.conftest import SIGNING_SECRET
from tests.fakes.slack_requests import button_click, send_event, send_interaction


def _open(running: Running, user: str, tab: str = "home", event_id: str = "EvHome1") -> None:
    event = {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": tab}
    assert send_event(running.events_url, SIGNING_SECRET, event, event_id) == 200
    running.services.jobs.drain(timeout=30)


def _published(running: Running) -> tuple[str, dict[str, Any]]:
    call = running.slack.calls_to("views.publish")[-1]
    view = call.params["view"]
    return call.params["user_id"], json.loads(view) if isinstance(view, str) else view


def test_the_home_tab_shows_to_dos_and_the_next_digest_and_done_ticks_one_off(running: Running) -> None:
    services = running.services
    services.owners.ensure("U1", "Asia/Shanghai")
    services.todos.add("U1", "call Acme about the renewal", date(2026, 1, 5))
    kept = services.todos.add("U1", "send the QBR deck", datetime.now(UTC).date())
    _open(running, "U1")
    user, view = _published(running)
    text = json.dumps(view, ensure_ascii=False)
    assert user == "U1" and view["type"] == "home"
    assert "call Acme about the renewal" in text and "since 2026-01-05" in text
    assert "Next: " in text and "Asia/Shanghai" in text
    assert "Unanswered" not in text, "not an admin"

    first = services.todos.open_items("U1")[0]
    click = button_click(DONE_ACTION, str(first.id), running.slack.response_url("home"), user="U1")
    assert send_interaction(running.events_url, SIGNING_SECRET, click)[0] == 200
    services.jobs.drain(timeout=30)
    assert [todo.id for todo in services.todos.open_items("U1")] == [kept.id]
    _, view = _published(running)
    assert "call Acme" not in json.dumps(view)


def test_admins_see_the_weeks_unanswered_questions_in_their_language(running: Running) -> None:
    running.slack.admins.add("UADMIN")
    running.slack.user_locales["UADMIN"] = "zh-CN"
    running.services.answers.record("直播带货的话术怎么写?", "zh", False, "none", "", [], "C1", "U2")
    _open(running, "UADMIN")
    _, view = _published(running)
    text = json.dumps(view, ensure_ascii=False)
    assert "本周没答上的问题" in text and "直播带货的话术怎么写?" in text and "/ops learn" in text
    assert "/ops digest on" in text, "no digest yet: how to turn it on"


def test_someone_elses_done_changes_nothing(running: Running) -> None:
    running.services.owners.ensure("U1", "UTC")
    todo = running.services.todos.add("U1", "private item", datetime.now(UTC).date())
    running.services.owners.ensure("U2", "UTC")
    click = button_click(DONE_ACTION, str(todo.id), running.slack.response_url("home2"), user="U2")
    assert send_interaction(running.events_url, SIGNING_SECRET, click)[0] == 200
    running.services.jobs.drain(timeout=30)
    assert [t.id for t in running.services.todos.open_items("U1")] == [todo.id]


def test_the_messages_tab_gets_suggested_prompts(running: Running) -> None:
    _open(running, "U1", tab="messages", event_id="EvHome2")
    [prompts] = running.slack.calls_to("assistant.threads.setSuggestedPrompts")
    assert prompts.params["channel_id"] == "DU1" and len(prompts.params["prompts"]) == 4
