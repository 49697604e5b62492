"""Block Kit for feedback: the filer's card (with buttons to correct the category and the group),
the form asking which report an item repeats, the triage post (with status buttons) and the stats
report. Pure functions from stored items to payloads."""

from __future__ import annotations

import json
from typing import Any

from bot.slack.blocks import Block, answer_message, context, message, section
from bot.slack.text import escape, mention, safe_url, truncate
from bot.storage.feedback import FeedbackItem, Filed, GroupCount
from knowledge.answer import Answer
from knowledge.text import Lang
from skills.feedback_categories import CATEGORIES, CATEGORY_INFO, STATUSES, Category, Status
from skills.wording import counted

CATEGORY_ACTION = "feedback_category"
STATUS_ACTION = "feedback_status"
GROUP_ACTION = "feedback_group"
SAME_AS_CALLBACK = "feedback_same_as"
SAME_AS_BLOCK = "feedback_same_as_number"
QUOTE_LIMIT = 600

_TEXT: dict[str, dict[Lang, str]] = {
    "filed": {"en": "Filed as {label} (#{id})", "zh": "已登记为「{label}」(#{id})"},
    "already": {
        "en": "Already filed as {label} (#{id}) by {user}",
        "zh": "这条已由 {user} 登记为「{label}」(#{id})",
    },
    "corrected": {"en": "Moved to {label} (#{id}) by {user}", "zh": "{user} 已改为「{label}」(#{id})"},
    "confidence": {"en": "confidence {value:.0%}", "zh": "置信度 {value:.0%}"},
    "decided_by": {"en": "decided by: {words}", "zh": "依据:{words}"},
    "by_llm": {"en": "categorized by the language model", "zh": "由语言模型分类"},
    "customer": {"en": "Customer: {name}", "zh": "客户:{name}"},
    "reporter": {"en": "Raised by {user}", "zh": "提出人:{user}"},
    "source": {"en": "<{url}|original message>", "zh": "<{url}|原消息>"},
    "similar": {
        "en": "Raised {times} by {customer_count}; first: {first}",
        "zh": "同类问题已出现 {items} 次,涉及 {customers} 个客户;最早:{first}",
    },
    "similar_unnamed": {
        "en": "Raised {times}; first: {first}",
        "zh": "同类问题已出现 {items} 次;最早:{first}",
    },
    "next_step": {"en": "Next step: {text}", "zh": "下一步:{text}"},
    "move_to": {"en": "Not right? Move it to:", "zh": "分错了?改为:"},
    "split_button": {"en": "Not the same problem", "zh": "不是同一个问题"},
    "same_as_button": {"en": "Same problem as…", "zh": "和另一条是同一问题…"},
    "same_as_title": {"en": "Same problem as…", "zh": "同一问题"},
    "same_as_label": {"en": "Feedback number it repeats", "zh": "它重复的反馈编号"},
    "same_as_hint": {
        "en": "The number shown as #12 on the earlier report. Only admins can change groups.",
        "zh": "较早那条反馈上显示的编号,如 #12。只有管理员可以修改分组。",
    },
    "same_as_submit": {"en": "Count together", "zh": "合并计数"},
    "cancel": {"en": "Cancel", "zh": "取消"},
    "answer_title": {
        "en": "*What the playbook and the team's documents say* (check it before you reply):",
        "zh": "*手册和团队文档中的解答*(回复客户前请核对):",
    },
    "manual_title": {
        "en": "*Asked again and again: candidates for the Q&A manual*",
        "zh": "*反复被问到的操作问题:建议写进 QA 手册*",
    },
    "routed": {"en": "Posted to <#{channel}> for triage.", "zh": "已发到 <#{channel}> 待处理。"},
    "route_failed": {
        "en": "Could not post it to <#{channel}> ({error}); invite me there with `/invite @opsbot`.",
        "zh": "无法发到 <#{channel}>({error});请在该频道用 `/invite @opsbot` 邀请我。",
    },
    "status": {"en": "Status: {status}", "zh": "状态:{status}"},
    "status_set": {"en": "{status} by {user}", "zh": "{user} 标记为{status}"},
    "stats_title": {"en": "*Feedback, {period}: {total}*", "zh": "*反馈统计({period}):共 {total}*"},
    "stats_empty": {"en": "No feedback filed {period}.", "zh": "{period}没有登记反馈。"},
    "stats_line": {
        "en": "{emoji} {label}: *{count}* (new {new}, triaged {triaged}, done {done})",
        "zh": "{emoji} {label}:*{count}*(新 {new},已分派 {triaged},已完成 {done})",
    },
    "top_title": {"en": "*Raised most often*", "zh": "*重复最多的问题*"},
    "top_line": {
        "en": "• {customer_count}, {times}: {text} ({ref})",
        "zh": "• {customers} 个客户,{items} 次:{text}({ref})",
    },
    "top_line_unnamed": {"en": "• {times}: {text} ({ref})", "zh": "• {items} 次:{text}({ref})"},
    "private": {"en": "_(filed from a direct message)_", "zh": "_(来自私信)_"},
    "one_item": {"en": "1 item", "zh": "1 条"},
    "items": {"en": "{count} items", "zh": "{count} 条"},
    "period_days": {"en": "last {days} days", "zh": "近 {days} 天"},
    "period_all": {"en": "all time", "zh": "全部时间"},
}
_STATUS_LABEL: dict[Status, dict[Lang, str]] = {
    "new": {"en": "new", "zh": "新"},
    "triaged": {"en": "triaged", "zh": "已分派"},
    "done": {"en": "done", "zh": "已完成"},
}


def _say(key: str, lang: Lang, **values: Any) -> str:
    return _TEXT[key][lang].format(**values)


def category_label(category: str, lang: Lang) -> str:
    info = CATEGORY_INFO[category]  # type: ignore[index]
    return f"{info.emoji} {info.label[lang]}"


def item_language(item: FeedbackItem) -> Lang:
    """The language the item was written in (its triage post and later cards use it)."""
    return "zh" if item.lang == "zh" else "en"


def _quote(text: str) -> str:
    return "\n".join(f">{line}" for line in escape(truncate(text, QUOTE_LIMIT)).splitlines() or [">"])


def _reference(item: FeedbackItem) -> str:
    url = safe_url(item.permalink)
    return f"<{url}|#{item.id}>" if url else f"#{item.id}"


def _details(item: FeedbackItem, lang: Lang) -> list[str]:
    details = []
    if item.customer:
        details.append(_say("customer", lang, name=escape(item.customer)))
    details.append(_say("reporter", lang, user=mention(item.reporter)))
    url = safe_url(item.permalink)
    if url:
        details.append(_say("source", lang, url=url))
    return details


def _category_buttons(item: FeedbackItem, lang: Lang) -> Block:
    others: list[Category] = [c for c in CATEGORIES if c != item.category]
    return {
        "type": "actions",
        "block_id": f"feedback_category:{item.id}",
        "elements": [
            {
                "type": "button",
                "action_id": f"{CATEGORY_ACTION}:{category}",
                "text": {"type": "plain_text", "text": category_label(category, lang), "emoji": True},
                "value": f"{item.id}:{category}",
            }
            for category in others
        ],
    }


def filed_card(
    filed: Filed,
    lang: Lang,
    route_note: str | None = None,
    corrected_by: str | None = None,
    answer: Answer | None = None,
) -> dict[str, Any]:
    """The reply to whoever filed: what it became, why, what next, buttons to correct it, and for
    a how-to question the knowledge index's answer when it has one."""
    item = filed.item
    label = category_label(item.category, lang)
    if corrected_by is not None:
        title = _say("corrected", lang, label=label, id=item.id, user=mention(corrected_by))
    elif filed.created:
        title = _say("filed", lang, label=label, id=item.id)
    else:
        title = _say("already", lang, label=label, id=item.id, user=mention(item.filed_by))
    why = [_say("confidence", lang, value=item.confidence)]
    if item.words:
        why.append(_say("decided_by", lang, words=", ".join(f"`{escape(w)}`" for w in item.words)))
    if item.method == "llm":
        why.append(_say("by_llm", lang))
    blocks: list[Block] = [
        section(f"*{title}*\n{_quote(item.text)}"),
        context(" · ".join(why)),
        context(*_details(item, lang)),
    ]
    if filed.first_in_group is not None:
        first = _reference(filed.first_in_group)
        blocks.append(context(_similar_line(filed, first, lang)))
    blocks.append(context(_say("next_step", lang, text=CATEGORY_INFO[item.category].handling[lang])))  # type: ignore[index]
    if route_note:
        blocks.append(context(route_note))
    if answer is not None and answer.found:
        blocks.append({"type": "divider"})
        blocks.append(context(_say("answer_title", lang)))
        blocks.extend(answer_message(answer)["blocks"])
    blocks.append(context(_say("move_to", lang)))
    blocks.append(_category_buttons(item, lang))
    blocks.append(_group_buttons(filed, lang))
    return message(f"{title}: {truncate(escape(item.text), 200)}", blocks)


def _group_buttons(filed: Filed, lang: Lang) -> Block:
    """ "Same problem as…" always; "Not the same problem" when the item shares a group."""
    item = filed.item
    choices = (["split"] if filed.group_size > 1 else []) + ["same_as"]
    return {
        "type": "actions",
        "block_id": f"feedback_group:{item.id}",
        "elements": [
            {
                "type": "button",
                "action_id": f"{GROUP_ACTION}:{choice}",
                "text": {"type": "plain_text", "text": _say(f"{choice}_button", lang)},
                "value": f"{item.id}:{choice}",
            }
            for choice in choices
        ],
    }


def same_as_modal(item_id: int, response_url: str, lang: Lang) -> dict[str, Any]:
    """Asks which earlier report an item repeats; the card is updated through `response_url`."""
    return {
        "type": "modal",
        "callback_id": SAME_AS_CALLBACK,
        "title": {"type": "plain_text", "text": _say("same_as_title", lang)},
        "submit": {"type": "plain_text", "text": _say("same_as_submit", lang)},
        "close": {"type": "plain_text", "text": _say("cancel", lang)},
        "private_metadata": json.dumps({"item": item_id, "response_url": response_url, "lang": lang}),
        "blocks": [
            {
                "type": "input",
                "block_id": SAME_AS_BLOCK,
                "label": {"type": "plain_text", "text": _say("same_as_label", lang)},
                "hint": {"type": "plain_text", "text": _say("same_as_hint", lang)},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "placeholder": {"type": "plain_text", "text": "#12"},
                    "max_length": 12,
                },
            }
        ],
    }


def _similar_line(filed: Filed, first: str, lang: Lang) -> str:
    if filed.group_customers:
        return _say("similar", lang, **_counts(filed.group_size, filed.group_customers), first=first)
    return _say("similar_unnamed", lang, **_counts(filed.group_size, 0), first=first)


def route_note(channel: str, error: str | None, lang: Lang) -> str:
    if error is None:
        return _say("routed", lang, channel=channel)
    return _say("route_failed", lang, channel=channel, error=escape(error))


def triage_post(filed: Filed, lang: Lang, status_by: str | None = None) -> dict[str, Any]:
    """The post in a category's triage channel, with buttons to move it along."""
    item = filed.item
    label = category_label(item.category, lang)
    status = _STATUS_LABEL[item.status][lang]  # type: ignore[index]
    status_line = _say("status", lang, status=status)
    if status_by:
        status_line = _say("status_set", lang, status=status, user=mention(status_by))
    blocks: list[Block] = [
        section(f"*{label} #{item.id}*\n{_quote(item.text)}"),
        context(*_details(item, lang)),
    ]
    if filed.first_in_group is not None:
        first = _reference(filed.first_in_group)
        blocks.append(context(_similar_line(filed, first, lang)))
    blocks.append(context(status_line))
    buttons = [
        {
            "type": "button",
            "action_id": f"{STATUS_ACTION}:{value}",
            "text": {"type": "plain_text", "text": _STATUS_LABEL[value][lang]},
            "value": f"{item.id}:{value}",
        }
        for value in STATUSES
        if value != item.status
    ]
    blocks.append({"type": "actions", "block_id": f"feedback_status:{item.id}", "elements": buttons})
    return message(f"{label} #{item.id}: {truncate(escape(item.text), 200)}", blocks)


def item_count(count: int, lang: Lang) -> str:
    return _say("one_item", lang) if count == 1 else _say("items", lang, count=count)


def period_text(days: int | None, lang: Lang) -> str:
    return _say("period_all", lang) if days is None else _say("period_days", lang, days=days)


def stats_message(
    counts: dict[tuple[str, str], int],
    top: list[GroupCount],
    days: int | None,
    lang: Lang,
    viewer: str | None = None,
    manual: list[GroupCount] | None = None,
) -> dict[str, Any]:
    """Counts by category and status, the problems raised most often, and the how-to questions
    asked often enough to go in the Q&A manual. Text filed from a DM is shown only to whoever
    raised or filed it."""
    period = period_text(days, lang)
    total = sum(counts.values())
    if total == 0:
        text = _say("stats_empty", lang, period=period)
        return message(text, [section(text)])
    lines = [_say("stats_title", lang, period=period, total=item_count(total, lang))]
    for category in sorted(CATEGORIES, key=lambda c: -sum(n for (k, _), n in counts.items() if k == c)):
        by_status = {status: counts.get((category, status), 0) for status in STATUSES}
        count = sum(by_status.values())
        if count:
            info = CATEGORY_INFO[category]
            lines.append(
                _say("stats_line", lang, emoji=info.emoji, label=info.label[lang], count=count, **by_status)
            )
    blocks = [section("\n".join(lines))]
    for title, groups in (("top_title", top), ("manual_title", manual or [])):
        if groups:
            blocks.append(
                section("\n".join([_say(title, lang), *(_group_line(g, lang, viewer) for g in groups)]))
            )
    return message(lines[0].strip("*"), blocks)


def _group_line(group: GroupCount, lang: Lang, viewer: str | None) -> str:
    first = group.first
    private = (first.channel or "").startswith("D") and viewer not in (first.reporter, first.filed_by)
    excerpt = _say("private", lang) if private else escape(truncate(" ".join(first.text.split()), 120))
    reference = f"{_reference(first)}, {category_label(first.category, lang)}"
    key = "top_line" if group.customers else "top_line_unnamed"
    return _say(key, lang, **_counts(group.items, group.customers), text=excerpt, ref=reference)


def _counts(items: int, customers: int) -> dict[str, object]:
    """A group's counts: bare numbers for the Chinese wording, counted nouns for the English."""
    return {
        "items": items,
        "customers": customers,
        "times": counted(items, "time"),
        "customer_count": counted(customers, "customer"),
    }
