"""Slack messages as the console shows them."""

from __future__ import annotations

from bot.local.render import Choice, render_payload, render_styled


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
        "  [1] Bug   (type a number to pick)",
        "  [2] Bug  [3] Bug   (type a number to pick)",
    ]
    assert [choice.button["value"] for choice in choices] == ["1", "1", "2"]
    assert render_payload(payload) == "Filed", "without a list to fill, buttons are not shown"


def test_mrkdwn_is_styled_for_a_terminal_and_plain_in_a_pipe() -> None:
    text = render_styled(
        {
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": "周报 Weekly"}},
                {
                    "type": "section",
                    "text": {
                        "type": "mrkdwn",
                        "text": "*留存* fell _a lot_, see `/ops rfm` and <https://example.com/a?b=1&amp;c=2|the guide>",
                    },
                },
                {"type": "context", "elements": [{"type": "mrkdwn", "text": "来源: playbook › RFM"}]},
            ]
        }
    )
    assert text.plain.splitlines() == [
        "周报 Weekly",
        "留存 fell a lot, see /ops rfm and the guide (https://example.com/a?b=1&c=2)",
        "  来源: playbook › RFM",
    ]
    styles = {text.plain[span.start : span.end]: str(span.style) for span in text.spans}
    assert styles["周报 Weekly"] == "bold"
    assert styles["留存"] == "bold"
    assert styles["a lot"] == "italic"
    assert styles["/ops rfm"] == "cyan"
    assert styles["the guide"].startswith("underline link https://example.com/a?b=1&c=2")
    assert styles["  来源: playbook › RFM"] == "dim"


def test_snake_case_and_arithmetic_are_not_read_as_markup() -> None:
    assert render_payload({"text": "set OPSBOT_HOME and 2*3 = 6"}) == "set OPSBOT_HOME and 2*3 = 6"
    assert render_payload({"text": "a code block:\n```x = 1\ny = 2```"}) == "a code block:\nx = 1\ny = 2"


def test_menu_options_become_numbered_choices_after_the_buttons() -> None:
    menu = {
        "type": "static_select",
        "action_id": "tier",
        "placeholder": {"type": "plain_text", "text": "Tier"},
        "option_groups": [
            {"label": {"type": "plain_text", "text": "top"}, "options": [_option("KA"), _option("A")]},
            {"label": {"type": "plain_text", "text": "rest"}, "options": [_option("B")]},
        ],
    }
    button = {
        "type": "button",
        "action_id": "ok",
        "value": "ok",
        "text": {"type": "plain_text", "text": "OK"},
    }
    choices: list[Choice] = []
    text = render_payload(
        {"blocks": [{"type": "actions", "block_id": "b", "elements": [button, menu]}]}, choices
    )
    assert text == "  [1] OK  Tier: [2] KA  [3] A  [4] B   (type a number to pick)"
    assert [choice.option and choice.option["value"] for choice in choices] == [None, "KA", "A", "B"]


def _option(value: str) -> dict[str, object]:
    return {"text": {"type": "plain_text", "text": value}, "value": value}


def test_a_quote_is_drawn_behind_a_bar_and_an_escaped_angle_is_text() -> None:
    assert render_payload({"text": "Filed\n>导出报表报错500\n&gt; not a quote"}) == (
        "Filed\n│ 导出报表报错500\n> not a quote"
    )
