"""The morning digest through the real Bolt app: `/ops digest` settings and the Done buttons."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from slack_sdk import WebClient

from bot.digest.scheduler import DigestScheduler
from bot.storage.engine import create_db_engine
from tests.bot.conftest import Running
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, db_url_for
from tests.fakes.slack_requests import button_click, send_command, send_interaction


def _digest_command(running: Running, text: str) -> str:
    before = len(running.slack.responses)
    send_command(
        running.events_url, SIGNING_SECRET, "/ops", f"digest {text}".strip(), running.slack.response_url("d")
    )
    assert running.slack.wait_for(lambda s: len(s.responses) > before, timeout=30)
    return json.dumps(running.slack.responses[before], ensure_ascii=False)


def test_digest_settings_from_slack(running: Running) -> None:
    running.slack.user_timezones["U123"] = "Asia/Shanghai"
    off = _digest_command(running, "")
    assert "is off" in off and "Turn it on with `/ops digest on`" in off, "nobody is signed up without asking"
    on = _digest_command(running, "on")
    assert "comes at 09:00 (Asia/Shanghai)" in on and "Turn it on" not in on
    assert "comes at 08:30" in _digest_command(running, "at 8:30")
    assert "(mon,tue,wed,thu,fri,sat)" in _digest_command(running, "days mon-sat")
    assert "snoozed through" in _digest_command(running, "snooze 3d")
    assert "is off" in _digest_command(running, "off")
    assert "comes at 08:30" in _digest_command(running, "on")
    assert "Snooze for 1 to 90" in _digest_command(running, "snooze 0d")
    assert "Use `/ops digest off`" in _digest_command(running, "sometimes")
    assert "Did you mean Asia/Shanghai" in _digest_command(running, "tz Asia/Shanghia")
    owner = running.services.owners.get("U123")
    assert owner is not None and (owner.tz, owner.digest_at, owner.paused) == (
        "Asia/Shanghai",
        "08:30",
        False,
    )


def test_done_button_in_the_digest_ticks_the_item_off(running: Running) -> None:
    running.services.owners.ensure("U123", "Asia/Shanghai")
    todo = running.services.todos.add("U123", "call Acme about the renewal", date(2026, 11, 20))
    client = WebClient(token=BOT_TOKEN, base_url=running.slack.base_url)
    scheduler = DigestScheduler(create_db_engine(db_url_for(running.services.settings.home)), client, "UTC")
    assert scheduler.scan(datetime(2026, 11, 23, 1, 0, tzinfo=UTC)) == 1
    [dm] = running.slack.calls_to("chat.postMessage")
    assert dm.params["channel"] == "U123"
    blocks = dm.params["blocks"]
    message = {"ts": "1.1", "text": dm.params["text"], "blocks": blocks}
    click = button_click(
        "todo_done", str(todo.id), running.slack.response_url("done"), channel="DU123", message=message
    )
    status, _ = send_interaction(running.events_url, SIGNING_SECRET, click)
    assert status == 200
    assert running.slack.wait_for(lambda s: len(s.responses) >= 1, timeout=30)
    updated = json.dumps(running.slack.responses[0], ensure_ascii=False)
    assert ":white_check_mark: ~call Acme about the renewal" in updated
    assert running.services.todos.open_items("U123") == []


def test_someone_elses_done_button_changes_nothing(running: Running) -> None:
    running.services.owners.ensure("UALICE", "UTC")
    running.services.owners.ensure("UBOB", "UTC")
    todo = running.services.todos.add("UALICE", "private", date(2026, 11, 20))
    click = button_click("todo_done", str(todo.id), running.slack.response_url("x"), user="UBOB")
    assert send_interaction(running.events_url, SIGNING_SECRET, click)[0] == 200
    assert running.slack.wait_for(lambda s: len(s.responses) >= 1, timeout=30)
    assert "in your list" in json.dumps(running.slack.responses[0], ensure_ascii=False)
    assert [t.text for t in running.services.todos.open_items("UALICE")] == ["private"]


def test_the_analysis_button_opens_the_playbooks_checklist_in_a_thread(running: Running) -> None:
    running.services.owners.ensure("U123", "UTC")
    message = {"ts": "1700000000.000100", "text": "digest", "blocks": []}
    click = button_click(
        "digest_analyse",
        json.dumps({"metric": "sales", "day": "2026-11-22", "direction": "down", "lang": "zh"}),
        running.slack.response_url("a"),
        channel="DU123",
        message=message,
    )
    assert send_interaction(running.events_url, SIGNING_SECRET, click)[0] == 200
    assert running.slack.wait_for(lambda s: len(s.calls_to("chat.postMessage")) >= 1, timeout=30)
    [thread] = running.slack.calls_to("chat.postMessage")
    assert thread.params["thread_ts"] == "1700000000.000100" and thread.params["channel"] == "DU123"
    assert "分析 2026-11-22 的销售额↓" in thread.params["text"] and "先核实数据本身" in thread.params["text"]
    running.services.jobs.drain(timeout=10)
    assert [t.text for t in running.services.todos.open_items("U123")] == ["分析 2026-11-22 的销售额异常"]


def test_an_ended_goal_asks_its_owner_for_the_retrospective_once(running: Running) -> None:
    from bot.storage.goals import GoalStore
    from skills.goals import Goal

    engine = create_db_engine(db_url_for(running.services.settings.home))
    running.services.owners.ensure("U123", "UTC")
    goals = GoalStore(engine)
    goals.add(
        Goal("November sign-ups", "new_customers", 500.0, date(2026, 11, 1), date(2026, 11, 20), "U123")
    )
    client = WebClient(token=BOT_TOKEN, base_url=running.slack.base_url)
    scheduler = DigestScheduler(engine, client, "UTC")
    assert scheduler.scan(datetime(2026, 11, 23, 9, 5, tzinfo=UTC)) == 1
    [dm] = running.slack.calls_to("chat.postMessage")
    shown = json.dumps(dm.params["blocks"], ensure_ascii=False)
    assert "*Goals that ended*" in shown and '"action_id": "goal_retro"' in shown
    assert '"value": "November sign-ups"' in shown
    assert goals.ended_without_retro(date(2026, 11, 24)) == [], "asked once"
    assert scheduler.scan(datetime(2026, 11, 24, 9, 5, tzinfo=UTC)) == 1
    assert "Goals that ended" not in json.dumps(
        running.slack.calls_to("chat.postMessage")[1].params["blocks"]
    )
