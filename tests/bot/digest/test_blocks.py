"""The morning digest: to-dos and complaints are people's words, escaped; the owner is a mention."""

from __future__ import annotations

import json
from datetime import date

from bot.digest.blocks import digest_message
from skills.digest import Digest, DigestTodo, FeedbackSummary


def test_todos_and_complaints_cannot_ping_or_forge_links() -> None:
    digest = Digest(
        owner="U0123ABCD",
        day=date(2024, 5, 2),
        todos=(
            DigestTodo(1, "call <@U999> about <https://evil.example|the invoice> @here请看", False, False),
        ),
        metrics=(),
        feedback=FeedbackSummary(
            new=1, by_category={"complaint": 1}, complaints=("<!channel> 退款@channel!",)
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
