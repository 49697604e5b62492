"""Slack messages as the console shows them."""

from __future__ import annotations

from bot.local.render import Choice, render_payload


def test_mentions_and_emoji_names_read_as_a_person_would_see_them() -> None:
    text = render_payload(
        {"text": ":white_check_mark: <@ULOCALUSER> asked <@U0ALICE> in <#C1|general> <!here>"}
    )
    assert text == "✅ @you asked @U0ALICE in #general @here"


def test_buttons_become_numbered_choices_across_blocks() -> None:
    button = {
        "type": "button",
        "action_id": "a",
        "value": "1",
        "text": {"type": "plain_text", "text": "*Bug*"},
    }
    payload = {
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "*Filed*"}, "accessory": button},
            {"type": "actions", "block_id": "b2", "elements": [button, {**button, "value": "2"}]},
        ]
    }
    choices: list[Choice] = []
    text = render_payload(payload, choices)
    assert text.splitlines() == [
        "Filed",
        "  [1] Bug   (type a number to press)",
        "  [2] Bug  [3] Bug   (type a number to press)",
    ]
    assert [choice.button["value"] for choice in choices] == ["1", "1", "2"]
    assert render_payload(payload) == "Filed", "without a list to fill, buttons are not shown"
