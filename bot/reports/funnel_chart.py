"""`/funnel` draws its chart after the table is on screen: rendering and uploading take a moment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from bot.core.charts import funnel_chart
from bot.core.messages import say
from bot.slack.blocks import notice_message
from bot.slack.files import Upload, share_files
from bot.slack.text import escape, truncate
from skills.errors import Lang
from skills.funnel import FunnelResult

CHART_TITLE_LIMIT = 200


def share_funnel_chart(
    client: WebClient,
    respond: Callable[..., Any],
    channel: str,
    result: FunnelResult,
    expression: str,
    lang: Lang,
) -> None:
    """Share the chart in the channel; if Slack refuses (bot not invited), say so to the user only."""
    title = truncate(expression, CHART_TITLE_LIMIT)
    png = funnel_chart(result, lang, title)
    label = "漏斗" if lang == "zh" else "Funnel"
    error = share_files(
        client, channel, [Upload("funnel.png", png, f"{label}: {title}")], escape(f"{label}: {title}")
    )
    if error is not None:
        respond(response_type="ephemeral", **notice_message(say("files_not_shared", lang, error=error)))
