"""Slack's assistant surface: suggested prompts when a person opens an assistant thread (or the
Messages tab), a title for the thread, and a loading status instead of a placeholder message.

Every call here is best effort: a workspace without the assistant feature (or an older manifest)
answers these methods with an error, and opsbot then works as a plain DM bot."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.requests import slack_locale_language
from bot.slack.text import truncate
from knowledge.text import Lang

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

TITLE_LIMIT = 60

PROMPTS: dict[Lang, list[dict[str, str]]] = {
    "zh": [
        {"title": "今天先做什么?", "message": "每天早上运营负责人应该先做什么?"},
        {"title": "复盘怎么做?", "message": "复盘有哪几步?"},
        {"title": "拆一个漏斗", "message": "/funnel 500万 销售额 / 5% 客户 / 80% 下载"},
        {"title": "准备续约", "message": "续约前要准备什么?"},
    ],
    "en": [
        {"title": "What first today?", "message": "What should an ops owner do first every morning?"},
        {"title": "Run a retrospective", "message": "What are the steps of a retrospective?"},
        {"title": "Break down a funnel", "message": "/funnel 500w sales / 5% customers / 80% downloads"},
        {"title": "Prepare a renewal", "message": "How do I prepare for a renewal?"},
    ],
}
_GREETING: dict[Lang, str] = {
    "zh": "你好!我是 opsbot,可以回答运营问题(附来源)、拆解漏斗、帮你准备续约。直接提问,或点下面的建议。",
    "en": "Hi! I'm opsbot: ops answers with sources, funnel math and renewal prep. Ask away, or pick a "
    "suggestion below.",
}
_PROMPTS_TITLE: dict[Lang, str] = {"zh": "可以这样问:", "en": "Try asking:"}
_STATUS: dict[Lang, tuple[str, list[str]]] = {
    "zh": ("正在查找…", ["正在翻运营手册…", "正在查团队文档…", "正在整理答案…"]),
    "en": (
        "is looking that up…",
        ["Reading the playbook…", "Checking the team's documents…", "Putting the answer together…"],
    ),
}


def on_thread_started(services: Services, client: WebClient, event: dict[str, Any]) -> None:
    """A person opened an assistant thread: greet them and suggest prompts in their language."""
    thread = event.get("assistant_thread") or {}
    channel, thread_ts, user = thread.get("channel_id"), thread.get("thread_ts"), thread.get("user_id")
    if not channel or not thread_ts:
        return
    lang = slack_locale_language(client, str(user or ""), "en")
    try:
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=_GREETING[lang])
        client.assistant_threads_setSuggestedPrompts(
            channel_id=channel, thread_ts=thread_ts, title=_PROMPTS_TITLE[lang], prompts=PROMPTS[lang]
        )
    except SlackApiError as error:
        log.info("could not greet an assistant thread: %s", error.response.get("error"))


def on_messages_tab(client: WebClient, event: dict[str, Any]) -> None:
    """The Messages tab opened: the same prompts, for the conversation as a whole."""
    channel, user = event.get("channel"), str(event.get("user") or "")
    if not channel:
        return
    lang = slack_locale_language(client, user, "en")
    try:
        client.assistant_threads_setSuggestedPrompts(
            channel_id=channel, title=_PROMPTS_TITLE[lang], prompts=PROMPTS[lang]
        )
    except SlackApiError as error:
        log.info("no suggested prompts for the Messages tab: %s", error.response.get("error"))


def show_working(client: WebClient, channel: str, thread_ts: str, lang: Lang) -> bool:
    """The assistant loading status in a DM thread; False when Slack does not offer it here (the
    caller posts a placeholder instead). Slack clears the status when opsbot replies."""
    status, loading = _STATUS[lang]
    try:
        client.assistant_threads_setStatus(
            channel_id=channel, thread_ts=thread_ts, status=status, loading_messages=loading
        )
    except SlackApiError as error:
        log.debug("no assistant status here (%s); posting a placeholder", error.response.get("error"))
        return False
    return True


def name_thread(client: WebClient, channel: str, thread_ts: str, question: str) -> None:
    """The thread's title, from its first question."""
    try:
        client.assistant_threads_setTitle(
            channel_id=channel, thread_ts=thread_ts, title=truncate(" ".join(question.split()), TITLE_LIMIT)
        )
    except SlackApiError as error:
        log.debug("no thread title (%s)", error.response.get("error"))
