"""`/ops weekly channel here|off` through the real Bolt app: an admin chooses the channel and time of
the weekly summary from Slack; everyone else, bad times and unreachable channels change nothing."""

from __future__ import annotations

import json
from typing import Any

from bot.storage.engine import create_db_engine
from bot.storage.team_settings import TeamSettings
from tests.bot.conftest import Running
from tests.conftest import SIGNING_SECRET, db_url_for, make_settings
from tests.fakes.slack_requests import send_command

CHANNEL = "C0OPS"


def _command(running: Running, text: str, user: str = "UADMIN", channel: str = CHANNEL) -> str:
    """The reply that replaced the ack, as text."""
    before = len(running.slack.responses)
    status, _ = send_command(
        running.events_url,
        SIGNING_SECRET,
        "/ops",
        text,
        running.slack.response_url(f"wc{before}"),
        user=user,
        channel=channel,
        trigger_id=f"t-wc{before}",
    )
    assert status == 200
    assert running.slack.wait_for(lambda s: len(s.responses) > before, timeout=30)
    reply: dict[str, Any] = running.slack.responses[before]
    assert reply["replace_original"] is True and reply["response_type"] == "ephemeral"
    return json.dumps(reply, ensure_ascii=False)


def _choices(running: Running) -> TeamSettings:
    return TeamSettings(create_db_engine(db_url_for(running.services.settings.home)))


def _posts_in(running: Running, channel: str) -> list[str]:
    """The messages Slack keeps in `channel` (refused posts are not among them)."""
    return [str(m.payload["text"]) for m in running.slack.messages.values() if m.channel == channel]


def test_an_admin_chooses_the_channel_and_time_and_the_channel_is_told(running: Running) -> None:
    running.slack.admins.add("UADMIN")
    assert "No channel gets the weekly summary yet" in _command(running, "weekly channel")
    reply = _command(running, "weekly channel here fri 17:30")
    assert "posted in this channel every Friday 17:30 (UTC)" in reply
    assert _choices(running).weekly() == (CHANNEL, "fri 17:30")
    [announcement] = _posts_in(running, CHANNEL)
    assert "<@UADMIN>" in announcement and "Friday 17:30" in announcement
    assert f"<#{CHANNEL}> every Friday 17:30" in _command(running, "weekly channel", user="USOMEONE")
    assert "no longer posted" in _command(running, "weekly channel off")
    assert _choices(running).weekly() is None


def test_in_chinese_the_default_time_and_the_summary_language_are_chinese(running: Running) -> None:
    running.slack.admins.add("UADMIN")
    reply = _command(running, "周报 频道 这里")
    assert "每周一 10:00" in reply
    assert _choices(running).weekly() == (CHANNEL, "周一 10:00")
    [announcement] = _posts_in(running, CHANNEL)
    assert "每周总结" in announcement


def test_others_bad_times_direct_messages_and_unreachable_channels_change_nothing(running: Running) -> None:
    assert "Only workspace admins" in _command(running, "weekly channel here", user="UPLAIN")
    running.slack.admins.add("UADMIN")
    bad = _command(running, "weekly channel here someday <!channel>")
    assert "is not one weekday and a time" in bad and "<!channel>" not in bad
    assert "not in a direct message" in _command(running, "weekly channel here", channel="DUADMIN")
    running.slack.fail_next("chat.postMessage", 200, error="not_in_channel")
    assert "/invite @opsbot" in _command(running, "weekly channel here")
    assert "Use `/ops weekly channel here" in _command(running, "weekly channel somewhere")
    assert _choices(running).weekly() is None
    assert _posts_in(running, CHANNEL) == []


def test_a_channel_set_on_the_server_is_named_not_changed(running: Running) -> None:
    running.services.settings = make_settings(
        running.services.settings.home,
        SLACK_API_BASE_URL=running.services.settings.slack_api_url,
        OPSBOT_WEEKLY_CHANNEL="C0SERVER",
    )
    running.slack.admins.add("UADMIN")
    assert "set on the server (OPSBOT_WEEKLY_CHANNEL = <#C0SERVER>" in _command(
        running, "weekly channel here"
    )
    assert _choices(running).weekly() is None
