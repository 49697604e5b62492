"""Slack messages as a terminal shows them: headers and bold in bold, code in colour, context lines
dimmed, emoji names as emoji, mentions as names, and buttons and menus as numbered choices a person
can type to pick. Rendered as rich Text: styled at a terminal, plain in a pipe or a test."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rich.emoji import Emoji
from rich.style import Style
from rich.text import Text

from bot.local.slack_api import LOCAL_USER
from bot.slack.text import unescape

_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#[CGD][A-Z0-9]+\|([^>]+)>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_MARKUP = re.compile(
    r"```\n?(?P<block>.+?)\n?```"
    r"|`(?P<code>[^`\n]+)`"
    r"|<(?P<url>[^|<>]+)\|(?P<label>[^<>]+)>"
    r"|<(?P<bare>(?:https?|mailto):[^|<>]+)>"
    r"|\*(?P<bold>\S(?:[^*\n]*\S)?)\*"
    r"|(?<![\w_])_(?P<italic>\S(?:[^_\n]*\S)?)_(?![\w_])"
    r"|(?<![\w~])~(?P<strike>\S(?:[^~\n]*\S)?)~(?![\w~])",
    re.DOTALL,
)
_QUOTE = re.compile(r"^> ?", re.MULTILINE)
_STYLES = {"block": "cyan", "code": "cyan", "bold": "bold", "italic": "italic", "strike": "strike"}
MENU_TYPES = ("static_select", "overflow", "radio_buttons")
"""Elements whose options the console lists as choices (all of them offer a fixed list)."""
CHOICE_STYLE = "bold cyan"
QUOTE_BAR = "│ "
"""A quoted line (Slack's `>`), as a bar like the one Slack draws."""


@dataclass(frozen=True)
class Choice:
    """A button, or one option of a menu, the console showed as `[n] label`."""

    message: dict[str, Any]
    block_id: str
    button: dict[str, Any]
    option: dict[str, Any] | None = field(default=None)
    """The menu option this choice picks; None for a button."""


def render_payload(payload: dict[str, Any], choices: list[Choice] | None = None) -> str:
    """The message as plain text (what a pipe or a test sees)."""
    return render_styled(payload, choices).plain


def render_styled(payload: dict[str, Any], choices: list[Choice] | None = None) -> Text:
    """Block Kit to styled terminal text: headers and sections as paragraphs, context blocks as
    dimmed indented lines; with `choices`, buttons and menu options as numbered choices (appended
    to it, so numbers run on across messages)."""
    parts: list[Text] = []
    for block in payload.get("blocks") or []:
        kind = block.get("type")
        text = block.get("text")
        if kind == "header" and isinstance(text, dict) and text.get("text"):
            parts.append(mrkdwn(str(text["text"]), base="bold"))
        elif kind in ("section", "markdown") and isinstance(text, dict) and text.get("text"):
            parts.append(mrkdwn(str(text["text"])))
        elif kind == "markdown" and text:
            parts.append(mrkdwn(str(text)))
        elif kind == "context":
            lines = [mrkdwn("  " + str(e.get("text", "")), base="dim") for e in block.get("elements", [])]
            parts.append(Text("\n").join(lines))
        if kind == "section" and block.get("fields"):
            parts.append(Text("\n").join(mrkdwn(str(f.get("text", ""))) for f in block["fields"]))
        if choices is not None:
            offered = _choices_of(payload, block, choices)
            if offered.plain:
                parts.append(offered)
    if not parts and payload.get("text"):
        parts.append(mrkdwn(str(payload["text"])))
    return Text("\n").join(parts)


def _choices_of(payload: dict[str, Any], block: dict[str, Any], choices: list[Choice]) -> Text:
    """The block's buttons and menu options as `[n] label`, each added to `choices`."""
    elements = list(block.get("elements", [])) if block.get("type") in ("actions", "context_actions") else []
    if isinstance(block.get("accessory"), dict):
        elements.append(block["accessory"])
    block_id = str(block.get("block_id", ""))
    line = Text("  ")
    for element in elements:
        kind = element.get("type")
        if kind == "button":
            choices.append(Choice(payload, block_id, element))
            _offer(line, len(choices), _label(element.get("text")))
        elif kind == "feedback_buttons":  # 👍 / 👎: each a choice that sends its own value
            for side in ("positive_button", "negative_button"):
                button = element.get(side) or {}
                pressed = {
                    "type": kind,
                    "action_id": element.get("action_id", ""),
                    "value": button.get("value", ""),
                }
                choices.append(Choice(payload, block_id, pressed))
                _offer(line, len(choices), _label(button.get("text")))
        elif kind in MENU_TYPES:
            title = _label(element.get("placeholder")) or ("…" if kind == "overflow" else "")
            if title:
                _gap(line)
                line.append(f"{title}: ")
            for option in _options(element):
                choices.append(Choice(payload, block_id, element, option))
                _offer(line, len(choices), _label(option.get("text")))
    if line.plain.strip():
        line.append("   (type a number to pick)", style="dim")
        return line
    return Text()


def _options(menu: dict[str, Any]) -> list[dict[str, Any]]:
    """A menu's options, groups flattened in the order shown."""
    if menu.get("option_groups"):
        return [option for group in menu["option_groups"] for option in group.get("options", [])]
    return list(menu.get("options", []))


def _gap(line: Text) -> None:
    """Two spaces between choices, none after the menu's title."""
    if line.plain.strip() and not line.plain.endswith(": "):
        line.append("  ")


def _offer(line: Text, number: int, label: str) -> None:
    _gap(line)
    line.append(f"[{number}]", style=CHOICE_STYLE)
    line.append(" ")
    line.append_text(mrkdwn(label))


def _label(text_object: Any) -> str:
    return str((text_object or {}).get("text", "")) if isinstance(text_object, dict) else ""


def mrkdwn(source: str, base: str = "") -> Text:
    """Slack mrkdwn as styled text: *bold*, _italic_, ~strike~, `code`, code blocks, quotes behind
    a bar, links as `label (address)`, mentions as names, emoji names as emoji, escapes undone."""
    source = _USER.sub(lambda match: "@you" if match[1] == LOCAL_USER else f"@{match[1]}", source)
    source = _CHANNEL.sub(r"#\1", _SPECIAL.sub(r"@\1", source))
    source = _QUOTE.sub(QUOTE_BAR, source)
    text = Text(style=base)
    position = 0
    for match in _MARKUP.finditer(source):
        text.append(_unescape(source[position : match.start()]))
        kind = match.lastgroup
        if kind in ("url", "label"):
            address = _unescape(match["url"])
            text.append(_unescape(match["label"]), style=Style(underline=True, link=address))
            if address != _unescape(match["label"]):
                text.append(f" ({address})", style="dim")
        elif kind == "bare":
            address = _unescape(match["bare"])
            text.append(address, style=Style(underline=True, link=address))
        elif kind is not None:
            text.append(_unescape(match[kind]), style=_STYLES[kind])
        position = match.end()
    text.append(_unescape(source[position:]))
    return text


def _unescape(text: str) -> str:
    return Emoji.replace(unescape(text).replace("\u200b", ""))
