"""The morning digest: to-dos and complaints are people's words, escaped; the owner is a mention."""

from __future__ import annotations

import json
from datetime import date

from bot.digest.blocks import digest_message
from skills.digest import Complaint, Digest, DigestTodo, FeedbackSummary, MetricLine


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
