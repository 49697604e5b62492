"""Block Kit for retrospectives, as plain data: the four-step modal, the posted retro, and the Markdown
the knowledge index reads (`# title`, then one `## step` section each, so a hit is cited as
title › step)."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from bot.slack.blocks import SECTION_LIMIT, Block, context, message, section
from bot.slack.text import escape, is_member_id, mention, truncate
from bot.storage.retros import Retro
from knowledge.text import Lang
from skills.errors import SkillError
from skills.retro import (
    MAX_STEP_CHARS,
    MAX_TITLE_CHARS,
    STEP_PROMPTS,
    STEP_TITLES,
    STEPS,
    RetroDraft,
    RetroText,
    metric_label,
    period_text,
)

CALLBACK_ID = "retro_modal"
TITLE_BLOCK = "retro_title"
VALUE_ACTION = "value"
HEADER_LIMIT = 150
_STRUCTURE_LINE = re.compile(
    r"^(?:#{1,6}\s|\s*(?:url|source|link|原文链接|原文地址|来源链接|链接)\s*[:\uff1a])", re.IGNORECASE
)
"""Lines of a person's text that the Markdown loader would read as a heading or as the link."""

_TEXT: dict[str, dict[Lang, str]] = {
    "modal_title": {"en": "Retrospective", "zh": "复盘"},
    "submit": {"en": "Save and post", "zh": "保存并发布"},
    "close": {"en": "Cancel", "zh": "取消"},
    "title_label": {"en": "Title", "zh": "标题"},
    "title_placeholder": {"en": "e.g. Retro: Double 11 campaign", "zh": "例如:复盘:双十一活动"},
    "intro": {
        "en": "Four steps. The retro is posted in this channel and added to the team's knowledge, "
        "so `/ops ask` finds its lessons later.",
        "zh": "共四步。复盘会发到本频道,并加入团队知识库,之后用 `/ops ask` 就能找到其中的经验。",
    },
    "fallback": {"en": "Retro: {title}", "zh": "复盘:{title}"},
    "by": {"en": "By {author}", "zh": "作者 {author}"},
    "by_cli": {"en": "Written on the command line", "zh": "来自命令行"},
    "saved_as": {"en": "retro #{id}", "zh": "复盘 #{id}"},
}


def _say(key: str, lang: Lang, **values: object) -> str:
    return _TEXT[key][lang].format(**values)


def step_heading(step_number: int, lang: Lang) -> str:
    step = STEPS[step_number - 1]
    return f"{step_number}. {STEP_TITLES[step][lang]}"


@dataclass(frozen=True)
class RetroMeta:
    """What the modal carries to its submission (`private_metadata`, at most 3,000 characters)."""

    channel: str
    lang: Lang
    metric: str = ""
    start: str = ""
    end: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> RetroMeta:
        """Tolerates a missing or foreign value: the retro is then saved without metric or period."""
        try:
            data = json.loads(text or "{}")
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        lang: Lang = "zh" if data.get("lang") == "zh" else "en"
        return cls(
            str(data.get("channel") or ""),
            lang,
            str(data.get("metric") or ""),
            str(data.get("start") or ""),
            str(data.get("end") or ""),
        )

    def period(self) -> tuple[date | None, date | None]:
        try:
            return (date.fromisoformat(self.start), date.fromisoformat(self.end))
        except ValueError:
            return None, None


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _input(
    block_id: str, label: str, placeholder: str, initial: str | None, multiline: bool, max_length: int
) -> Block:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": VALUE_ACTION,
        "multiline": multiline,
        "max_length": max_length,
        "placeholder": _plain(truncate(placeholder, 150)),
    }
    if initial:
        element["initial_value"] = initial[:max_length]
    block: Block = {"type": "input", "block_id": block_id, "label": _plain(label), "element": element}
    if block_id == TITLE_BLOCK:
        block["optional"] = True
    return block


def step_block_id(step: str) -> str:
    return f"retro_{step}"


def retro_modal(draft: RetroDraft | None, meta: RetroMeta) -> dict[str, Any]:
    """The `views.open` view: a title and the four steps, goal and result prefilled from the numbers
    when there is a draft; causes and lessons only get prompts, they are the team's own words."""
    lang = meta.lang
    prefilled = {"goal": draft.goal, "result": draft.result} if draft else {}
    blocks: list[Block] = [
        context(_say("intro", lang)),
        _input(
            TITLE_BLOCK,
            _say("title_label", lang),
            _say("title_placeholder", lang),
            draft.title if draft else None,
            multiline=False,
            max_length=MAX_TITLE_CHARS,
        ),
    ]
    for number, step in enumerate(STEPS, start=1):
        blocks.append(
            _input(
                step_block_id(step),
                step_heading(number, lang),
                STEP_PROMPTS[step][lang],
                prefilled.get(step),
                multiline=True,
                max_length=MAX_STEP_CHARS,
            )
        )
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": _plain(_say("modal_title", lang)),
        "submit": _plain(_say("submit", lang)),
        "close": _plain(_say("close", lang)),
        "private_metadata": meta.to_json(),
        "blocks": blocks,
    }


def submitted_text(view: dict[str, Any]) -> RetroText:
    """The title and the four steps from a `view_submission` (blank where nothing was typed)."""
    values = (view.get("state") or {}).get("values") or {}

    def typed(block_id: str) -> str:
        return str(((values.get(block_id) or {}).get(VALUE_ACTION) or {}).get("value") or "")

    return RetroText(typed(TITLE_BLOCK), *(typed(step_block_id(step)) for step in STEPS))


def submission_errors(problems: dict[str, SkillError], lang: Lang) -> dict[str, str]:
    """`response_action: errors` wants a message per input block; the modal stays open as typed."""
    return {
        (TITLE_BLOCK if field == "title" else step_block_id(field)): error.message(lang)
        for field, error in problems.items()
    }


def _pieces(text: str, limit: int) -> list[str]:
    """Cut long (escaped) text into parts of at most `limit` characters, at a line or word end where
    possible and never inside an escape sequence, so nothing is lost to Slack's section limit."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = text.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = limit
        amp = text.rfind("&", 0, cut)
        if amp > 0 and ";" not in text[amp:cut]:
            cut = amp
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    pieces.append(text)
    return pieces


def _context_line(retro: Retro) -> str:
    lang = retro.lang
    parts = [
        _say("by", lang, author=mention(retro.author)) if is_member_id(retro.author) else _say("by_cli", lang)
    ]
    if retro.metric:
        parts.append(escape(metric_label(retro.metric, lang)))
    if retro.start and retro.end:
        parts.append(period_text(retro.start, retro.end, lang))
    parts.append(_say("saved_as", lang, id=retro.id))
    return " · ".join(parts)


def _step_blocks(text: RetroText, lang: Lang) -> list[Block]:
    """The title as a header and each step under its heading, all of it escaped (the person wrote it)."""
    blocks: list[Block] = [{"type": "header", "text": _plain(truncate(escape(text.title), HEADER_LIMIT))}]
    for number, step in enumerate(STEPS, start=1):
        heading = f"*{step_heading(number, lang)}*"
        parts = _pieces(escape(text.step(step)), SECTION_LIMIT - len(heading) - 1)
        blocks.append(section(f"{heading}\n{parts[0]}"))
        blocks.extend(section(part) for part in parts[1:])
    return blocks


def retro_message(retro: Retro) -> dict[str, Any]:
    """The retro as posted: header, the four steps, and who wrote it for which period."""
    blocks = [*_step_blocks(retro.text, retro.lang), context(_context_line(retro))]
    return message(_say("fallback", retro.lang, title=escape(retro.text.title)), blocks)


def retro_notice_message(notice: str, text: RetroText, lang: Lang) -> dict[str, Any]:
    """Our notice (safe text) above the retro itself, so the person has it even when it could not be
    posted or saved."""
    return message(notice, [section(notice), *_step_blocks(text, lang)])


def _safe_markdown(text: str) -> str:
    """A person's text inside our Markdown: lines that would read as a heading or as the document's
    link are quoted, so the retro keeps its four sections and cites no link it did not have."""
    return "\n".join(f"> {line}" if _STRUCTURE_LINE.match(line) else line for line in text.splitlines())


def retro_markdown(retro: Retro) -> str:
    """What is indexed: `# title`, one `## step` per step, and the metric and period under the goal."""
    lang = retro.lang
    title = " ".join(retro.text.title.split())
    lines = [f"# {title}", ""]
    for number, step in enumerate(STEPS, start=1):
        lines += [f"## {STEP_TITLES[step][lang]}", "", _safe_markdown(retro.text.step(step).strip())]
        if number == 1 and retro.metric and retro.start and retro.end:
            label = metric_label(retro.metric, lang)
            lines += ["", f"({label}, {period_text(retro.start, retro.end, lang)})"]
        lines.append("")
    return "\n".join(lines)
