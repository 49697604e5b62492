"""The morning digest: to-dos and complaints are people's words, escaped; the owner is a mention."""

from __future__ import annotations

import json
from datetime import date

from bot.digest.blocks import digest_message
from skills.digest import Complaint, Digest, DigestTodo, FeedbackSummary, MetricLine
from skills.goals import Goal, goal_status
from skills.health import ClientHealth, Reason, StatusChange


def test_todos_and_complaints_cannot_ping_or_forge_links() -> None:
    digest = Digest(
        owner="U0123ABCD",
        day=date(2024, 5, 2),
        todos=(
            DigestTodo(1, "call <@U999> about <https://evil.example|the invoice> @here请看", False, False),
        ),
        metrics=(),
        feedback=FeedbackSummary(
            new=1, by_category={"complaint": 1}, complaints=(Complaint("<!channel> 退款@channel!"),)
        ),
    )
    text = json.dumps(digest_message(digest, "zh"), ensure_ascii=False)
    for forbidden in ("<@U999>", "<https://evil.example", "@here", "<!channel>", "@channel"):
        assert forbidden not in text, forbidden
    assert "<@U0123ABCD>" in text


def test_an_owner_that_is_not_a_member_id_is_not_a_mention() -> None:
    digest = Digest("<!here>", date(2024, 5, 2), (), (), FeedbackSummary())
    text = json.dumps(digest_message(digest, "en"), ensure_ascii=False)
    assert "<!here>" not in text and "&lt;!here&gt;" in text


def test_a_holiday_reviewed_is_said_to_be_one() -> None:
    line = MetricLine("sales", 200.0, None, None, False, None, "▁")
    digest = Digest("U1", date(2026, 10, 2), (), (line,), FeedbackSummary(), reviewed_holiday=True)
    assert "2026-10-01 was a team holiday: its numbers are shown, not judged" in json.dumps(
        digest_message(digest, "en")
    )
    assert "2026-10-01 是团队假期" in json.dumps(digest_message(digest, "zh"), ensure_ascii=False)


def test_goals_are_listed_with_their_burn_up_and_names_escaped() -> None:
    period = (date(2026, 11, 1), date(2026, 11, 30))
    behind = goal_status(
        Goal("<!here> sign-ups", "new_customers", 600, *period, "U1"), {period[0]: 5.0}, period[0]
    )
    on_pace = goal_status(Goal("Nov sales", "sales", 30, *period, "U1"), {period[0]: 5.0}, period[0])
    digest = Digest("U1", date(2026, 11, 2), (), (), FeedbackSummary(0, {}, ()), goals=(behind, on_pace))
    text = json.dumps(digest_message(digest, "en"), ensure_ascii=False)
    assert "*Your goals* (behind pace first)" in text
    assert ":warning: &lt;!here&gt; sign-ups: New customers 5 of 600" in text
    assert "Nov sales: Sales 5 of 30 (500% of pace, on track" in text and "`▁`" in text
    assert "目标" in json.dumps(digest_message(digest, "zh"), ensure_ascii=False)


def test_clients_at_risk_say_what_changed_and_cannot_ping() -> None:
    reason = Reason("usage_decline", 20.0, "Active users down 40%", "活跃下降 40%")
    health = ClientHealth("C9", "<!channel> Corp", "U1", 60, "yellow", (reason,))
    digest = Digest(
        "U1",
        date(2026, 12, 2),
        (),
        (),
        FeedbackSummary(0, {}, ()),
        clients_at_risk=(StatusChange(health, "green"),),
    )
    text = json.dumps(digest_message(digest, "en"), ensure_ascii=False)
    assert (
        "*Clients to look at*" in text
        and "&lt;!channel&gt; Corp (C9) 60, was green: Active users down 40%" in text
    )
    assert "之前为绿:活跃下降 40%" in json.dumps(digest_message(digest, "zh"), ensure_ascii=False)
