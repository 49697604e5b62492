"""`/ops todo` through the real Bolt app: add, list, done, carry-over, privacy, time zones."""

from __future__ import annotations

import json
from datetime import date

from tests.bot.conftest import Running
from tests.conftest import SIGNING_SECRET
from tests.fakes.slack_requests import send_command


def _todo(running: Running, text: str, user: str = "U123") -> str:
    before = len(running.slack.responses)
    status, _ = send_command(
        running.events_url,
        SIGNING_SECRET,
        "/ops",
        f"todo {text}".strip(),
        running.slack.response_url("todo"),
        user=user,
    )
    assert status == 200
    assert running.slack.wait_for(lambda s: len(s.responses) > before, timeout=30)
    return json.dumps(running.slack.responses[before], ensure_ascii=False)


def test_add_list_and_done_by_the_number_shown(running: Running) -> None:
    running.slack.user_timezones["U123"] = "Asia/Shanghai"
    assert "Nothing on your list" in _todo(running, "")
    _todo(running, "add call Acme about the renewal")
    listed = _todo(running, "add 检查昨天的销售数据")
    assert "1. call Acme about the renewal" in listed and "2. 检查昨天的销售数据" in listed
    after = _todo(running, "done 1")
    assert "call Acme" not in after and "1. 检查昨天的销售数据" in after
    owner = running.services.owners.get("U123")
    assert owner is not None and owner.tz == "Asia/Shanghai", "the time zone comes from the Slack profile"


def test_to_dos_are_private_and_bad_numbers_are_explained(running: Running) -> None:
    _todo(running, "add my secret plan", user="UALICE")
    other = _todo(running, "", user="UBOB")
    assert "secret plan" not in other and "Nothing on your list" in other
    refused = _todo(running, "done 3", user="UBOB")
    assert "Give the number from your list" in refused and "you have 0 open" in refused
    assert [t.text for t in running.services.todos.open_items("UALICE")] == ["my secret plan"]


def test_carried_over_items_show_the_day_they_were_written(running: Running) -> None:
    running.services.owners.ensure("U123", "UTC")
    running.services.todos.add("U123", "follow up on the complaint from Beta", date(2026, 1, 5))
    listed = _todo(running, "")
    assert "follow up on the complaint from Beta _(since Jan 05)_" in listed


def test_empty_and_huge_to_dos_are_refused(running: Running) -> None:
    assert "Write the to-do after the command" in _todo(running, "add   ")
    assert "limited to 500 characters" in _todo(running, "add " + "x" * 600)
    assert running.services.todos.open_items("U123") == []


def test_a_saved_to_do_is_never_reported_as_lost(running: Running, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The add is saved, then reading the list back fails: the reply says it was saved."""

    def broken(*_args: object) -> list[object]:
        raise RuntimeError("the database went away after the write")

    monkeypatch.setattr(type(running.services.todos), "open_items", broken)
    reply = _todo(running, "add call Acme")
    assert "Saved, but I could not show your list" in reply and "Nothing was changed" not in reply
    monkeypatch.undo()
    assert "call Acme" in _todo(running, "")
