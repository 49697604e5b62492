"""`/ops weekly channel here [mon 10:00]`, `… off`, `…`: a team chooses from Slack where and when its
weekly summary is posted (bot.weekly.scheduler.ChosenChannelWeekly posts it). The choice is stored in
the team's own database, so with several workspaces each chooses its own."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from bot.core.config import SettingsError
from bot.core.messages import say
from bot.slack.admins import is_opsbot_admin, who_can
from bot.slack.blocks import failure_notice, notice_message
from bot.slack.requests import SlashRequest, reply_language
from bot.slack.text import escape
from bot.storage.team_settings import WEEKLY_AT, WEEKLY_CHANNEL, TeamSettings
from bot.weekly.scheduler import WeeklyTiming, parse_weekly_at
from bot.weekly.summary import weekly_command
from knowledge.text import detect_language
from skills.errors import Lang

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
CHANNEL_WORDS = frozenset({"channel", "频道"})
_HERE = frozenset({"here", "这里"})
_OFF = frozenset({"off", "stop", "关闭", "停止"})
_DAY_NAMES = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
}
NOT_POSTABLE = frozenset({"not_in_channel", "channel_not_found", "is_archived", "restricted_action"})


def when(timing: WeeklyTiming, lang: Lang) -> str:
    return f"{_DAY_NAMES[lang][timing.weekday]} {timing.at:%H:%M}"


def weekly_or_channel(services: Services, request: SlashRequest) -> None:
    """`/ops weekly channel …` chooses the channel; any other `/ops weekly …` shows a summary."""
    words = request.rest.split()
    if not words or words[0].lower() not in CHANNEL_WORDS:
        weekly_command(services, request)
        return
    lang = detect_language(request.text)
    request.ack(**notice_message(say("one_moment", lang)))

    def work() -> None:
        answer_in = reply_language(request.client, request.user, request.text, lang)
        try:
            payload = _handle(services, request, words[1:], answer_in)
        except Exception:
            payload = failure_notice(log, "weekly channel command", answer_in, "feedback_failed")
        request.respond(response_type="ephemeral", replace_original=True, **payload)

    services.jobs.submit(work, name="ops-weekly-channel")


def _handle(services: Services, request: SlashRequest, words: list[str], lang: Lang) -> dict[str, Any]:
    settings = services.settings
    zone = settings.weekly_zone
    if settings.weekly_channel:
        timing = parse_weekly_at(settings.weekly_at)
        text = say("weekly_channel_server", lang, channel=settings.weekly_channel, when=when(timing, lang))
        return notice_message(text)
    choices = TeamSettings(services.owners.engine)
    action = words[0].lower() if words else ""
    if not action:
        chosen = choices.weekly()
        if chosen is None:
            return notice_message(say("weekly_channel_none", lang))
        channel, at = chosen
        text = say(
            "weekly_channel_show", lang, channel=channel, when=when(parse_weekly_at(at), lang), zone=zone
        )
        return notice_message(text)
    if action not in _HERE | _OFF:
        return notice_message(say("weekly_channel_usage", lang))
    if not is_opsbot_admin(request.client, settings, request.user):
        return notice_message(say("weekly_channel_not_admin", lang, who=who_can(settings, lang)))
    if action in _OFF:
        choices.clear(WEEKLY_CHANNEL, WEEKLY_AT)
        return notice_message(say("weekly_channel_off", lang))
    if request.channel.startswith("D") or not request.channel:
        return notice_message(say("weekly_channel_in_dm", lang))
    at = " ".join(words[1:]) or ("周一 10:00" if lang == "zh" else "mon 10:00")
    try:
        timing = parse_weekly_at(at)
    except SettingsError:
        return notice_message(say("weekly_channel_bad_time", lang, text=escape(at)))
    announce = say(
        "weekly_channel_announce", timing.lang, user=request.user, when=when(timing, timing.lang), zone=zone
    )
    try:
        request.client.chat_postMessage(channel=request.channel, text=announce)
    except SlackApiError as error:
        if str(error.response.get("error")) in NOT_POSTABLE:
            return notice_message(say("weekly_channel_invite", lang))
        raise
    choices.put({WEEKLY_CHANNEL: request.channel, WEEKLY_AT: at}, by=request.user)
    return notice_message(say("weekly_channel_set", lang, when=when(timing, lang), zone=zone))
