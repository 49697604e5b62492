"""Feedback cards and triage posts: what people typed is escaped, and only member ids are mentions."""

from __future__ import annotations

import json

from bot.feedback.blocks import filed_card, stats_message, triage_post
from bot.storage.feedback import FeedbackItem, Filed, GroupCount
from tests.fakes.feedback import feedback_item

HOSTILE = "<!channel> export broken, see <https://evil.example|the official status page> @here请看"
FORBIDDEN = ("<!channel>", "<https://evil.example", "@here", "<!here>")


def _item(**values: object) -> FeedbackItem:
    return feedback_item(**{"reporter": "U0123ABCD", "filed_by": "U0123ABCD", "lang": "en", **values})


def _filed(item: FeedbackItem) -> Filed:
    return Filed(item, created=True, group_size=1, group_customers=0, first_in_group=None)


def _text(payload: dict) -> str:  # type: ignore[type-arg]
    return json.dumps(payload, ensure_ascii=False)


def test_text_customer_and_words_from_people_cannot_ping_or_forge_links() -> None:
    item = _item(text=HOSTILE, customer="<@U999> <!everyone>", deciding_words=json.dumps(["<!here>"]))
    for payload in (filed_card(_filed(item), "en"), triage_post(_filed(item), "en", status_by="U0123ABCD")):
        text = _text(payload)
        for forbidden in (*FORBIDDEN, "<@U999>", "<!everyone>"):
            assert forbidden not in text, forbidden
        assert "&lt;!channel&gt;" in text


def test_people_who_are_not_member_ids_are_named_not_mentioned() -> None:
    from_the_command_line = _item(reporter="alice", filed_by="alice", source="cli")
    card = _text(filed_card(_filed(from_the_command_line), "en"))
    assert "Raised by alice" in card and "<@alice>" not in card
    bot_message = _item(reporter="B0BOT1234")
    triage = _text(triage_post(_filed(bot_message), "zh", status_by="x> <!channel"))
    assert "提出人:B0BOT1234" in triage and "<@B0BOT1234>" not in triage
    assert "<!channel" not in triage and "x&gt; &lt;!channel" in triage
    assert "Raised by <@U0123ABCD>" in _text(filed_card(_filed(_item()), "en"))


def test_a_permalink_that_is_not_a_clean_url_is_not_linked() -> None:
    item = _item(permalink="https://slack.example/x\tOfficial")
    assert "<https://" not in _text(filed_card(_filed(item), "en"))


def test_stats_quote_people_escaped() -> None:
    group = GroupCount(group_id=7, items=3, customers=2, first=_item(text=HOSTILE))
    text = _text(stats_message({("bug", "new"): 3}, [group], 30, "en", viewer="U0123ABCD"))
    for forbidden in FORBIDDEN:
        assert forbidden not in text, forbidden


def test_a_group_says_how_often_in_words_that_agree_with_the_count() -> None:
    first = _item(id=1)
    joined = Filed(_item(id=2), created=True, group_size=2, group_customers=1, first_in_group=first)
    assert "Raised 2 times by 1 customer;" in _text(filed_card(joined, "en"))
    assert "同类问题已出现 2 次,涉及 1 个客户" in _text(filed_card(joined, "zh"))
