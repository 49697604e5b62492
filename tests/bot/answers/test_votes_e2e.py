"""👍 / 👎 on answers, end to end: the buttons come with the answer, a click is logged and thanked
to the clicker alone, and a 👎 opens a form whose reason is kept."""

from __future__ import annotations

import json
from typing import Any

from bot.answers.votes import REASON_BLOCK, VOTE_ACTION
from bot.local.slack_api import BOT_USER_ID
from tests.bot.conftest import Running
from tests.conftest import SIGNING_SECRET
from tests.fakes.slack_requests import (
    button_click,
    send_command,
    send_event,
    send_interaction,
    view_submission,
)


def _ask(running: Running, text: str, event_id: str) -> dict[str, Any]:
    """Mention opsbot and return the answer, as the updated placeholder shows it."""
    event = running.slack.add_user_message("C123", f"<@{BOT_USER_ID}> {text}")
    assert send_event(running.events_url, SIGNING_SECRET, {**event, "type": "app_mention"}, event_id) == 200
    running.services.jobs.drain(timeout=60)
    return running.slack.calls_to("chat.update")[-1].params


def _vote_values(answer: dict[str, Any]) -> tuple[str, str]:
    blocks = answer["blocks"] if isinstance(answer["blocks"], list) else json.loads(answer["blocks"])
    [actions] = [block for block in blocks if block["type"] == "context_actions"]
    [buttons] = actions["elements"]
    assert buttons["type"] == "feedback_buttons" and buttons["action_id"] == VOTE_ACTION
    return buttons["positive_button"]["value"], buttons["negative_button"]["value"]


def _click(running: Running, value: str, user: str, name: str) -> None:
    click = button_click(VOTE_ACTION, value, running.slack.response_url(name), user=user)
    click["actions"][0]["type"] = "feedback_buttons"
    status, _ = send_interaction(running.events_url, SIGNING_SECRET, click)
    assert status == 200
    running.services.jobs.drain(timeout=30)


def test_an_answer_is_logged_and_a_vote_is_thanked_to_the_clicker_only(running: Running) -> None:
    answer = _ask(running, "复盘有哪几步?", "EvVote1")
    up, _ = _vote_values(answer)
    _click(running, up, "U1", "vote-up")
    thanks = running.slack.responses[-1]
    assert thanks["response_type"] == "ephemeral" and thanks["replace_original"] is False
    assert "很高兴" in json.dumps(thanks, ensure_ascii=False)
    stats = running.services.answers.stats()
    assert (stats.answered, stats.helpful, stats.not_helpful) == (1, 1, 0)
    assert not running.slack.calls_to("views.open")


def test_a_thumbs_down_asks_what_was_missing_and_keeps_the_reason(running: Running) -> None:
    _, down = _vote_values(_ask(running, "How do I run a retrospective?", "EvVote2"))
    _click(running, down, "U2", "vote-down")
    [opened] = running.slack.calls_to("views.open")
    view = opened.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert "missing" in json.dumps(view).lower()
    submitted = view_submission(view, {REASON_BLOCK: "It did not say who runs it"}, user="U2")
    status, _ = send_interaction(running.events_url, SIGNING_SECRET, submitted)
    assert status == 200
    running.services.jobs.drain(timeout=30)
    stats = running.services.answers.stats()
    assert stats.not_helpful == 1
    [worst] = stats.worst
    assert worst.reasons == ("It did not say who runs it",)


def test_unanswered_questions_are_logged_without_buttons(running: Running) -> None:
    answer = _ask(running, "红烧肉怎么做?", "EvVote3")
    assert "context_actions" not in json.dumps(answer)
    assert running.services.answers.stats().unanswered == 1
    _ask(running, "", "EvVote4")  # an empty mention asks for a question: nothing was asked
    assert running.services.answers.stats().unanswered == 1


def test_a_vote_on_an_answer_no_longer_logged_is_told_so(running: Running) -> None:
    _click(running, "up:999:en", "U1", "vote-gone")
    assert "no longer" in json.dumps(running.slack.responses[-1])


def test_slash_command_answers_carry_the_buttons_too(running: Running) -> None:
    status, _ = send_command(
        running.events_url, SIGNING_SECRET, "/ops", "ask what is RFM?", running.slack.response_url("ask")
    )
    assert status == 200
    running.services.jobs.drain(timeout=60)
    assert "feedback_buttons" in json.dumps(running.slack.responses[-1])
    assert running.services.answers.stats().answered == 1


def test_ops_answers_shows_admins_what_to_work_on(running: Running) -> None:
    _, down = _vote_values(_ask(running, "How do I run a retrospective?", "EvVote5"))
    _click(running, down, "U2", "vote-down-2")
    _ask(running, "红烧肉怎么做?", "EvVote6")
    running.slack.admins.add("UADMIN")
    status, _ = send_command(
        running.events_url,
        SIGNING_SECRET,
        "/ops",
        "answers",
        running.slack.response_url("stats"),
        user="UADMIN",
    )
    assert status == 200
    running.services.jobs.drain(timeout=30)
    shown = json.dumps(running.slack.responses[-1], ensure_ascii=False)
    assert "1 question answered, 1 not answered" in shown
    assert "红烧肉怎么做?" in shown and "How do I run a retrospective?" in shown
    status, _ = send_command(
        running.events_url, SIGNING_SECRET, "/ops", "回答", running.slack.response_url("denied"), user="U2"
    )
    running.services.jobs.drain(timeout=30)
    assert "只有" in json.dumps(running.slack.responses[-1], ensure_ascii=False)
