"""Slack messages as a terminal shows them: sections as paragraphs, context lines indented, emoji
names as emoji, mentions as names, and buttons as numbered choices a person can type to press."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rich.emoji import Emoji

from bot.local.slack_api import LOCAL_USER

_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#[CGD][A-Z0-9]+\|([^>]+)>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_LINK = re.compile(r"<([^|>]+)\|([^>]+)>")
_BOLD = re.compile(r"\*(\S(?:[^*\n]*\S)?)\*")


@dataclass(frozen=True)
class Choice:
    """A button the console showed as `[n] label`."""

    message: dict[str, Any]
    block_id: str
    button: dict[str, Any]


def render_payload(payload: dict[str, Any], choices: list[Choice] | None = None) -> str:
    """Block Kit to terminal text: sections as paragraphs, context blocks as indented lines, emoji
    names as emoji, mentions as names; with `choices`, buttons as numbered choices (appended to it)."""
    parts: list[str] = []
    for block in payload.get("blocks") or []:
        kind = block.get("type")
        if kind in ("section", "markdown") and (block.get("text") or {}).get("text"):
            parts.append(_plain(block["text"]["text"]))
        elif kind == "markdown" and block.get("text"):
            parts.append(_plain(str(block["text"])))
        elif kind == "context":
            parts.append("\n".join("  " + _plain(e.get("text", "")) for e in block.get("elements", [])))
        if choices is None:
            continue
        buttons = (
            [e for e in block.get("elements", []) if e.get("type") == "button"] if kind == "actions" else []
        )
        if (block.get("accessory") or {}).get("type") == "button":
            buttons.append(block["accessory"])
        labels = []
        for button in buttons:
            choices.append(Choice(payload, str(block.get("block_id", "")), button))
            labels.append(f"[{len(choices)}] {_plain(str((button.get('text') or {}).get('text', '')))}")
        if labels:
            parts.append("  " + "  ".join(labels) + "   (type a number to press)")
    if not parts and payload.get("text"):
        parts.append(_plain(str(payload["text"])))
    return "\n".join(parts)


def _plain(mrkdwn: str) -> str:
    text = _USER.sub(lambda match: "@you" if match[1] == LOCAL_USER else f"@{match[1]}", mrkdwn)
    text = _CHANNEL.sub(r"#\1", _SPECIAL.sub(r"@\1", text))
    text = _BOLD.sub(r"\1", _LINK.sub(r"\2 (\1)", text))
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace("\u200b", "")
    return Emoji.replace(text)
