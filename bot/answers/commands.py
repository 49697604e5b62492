"""`/ops answers` (or `/ops 回答`): how opsbot's answers did over the last 30 days, for admins: the
counts, and the questions people found unhelpful or nobody answered, with what they said."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.core.messages import say
from bot.slack.admins import is_opsbot_admin, who_can
from bot.slack.blocks import context, message, notice_message, section
from bot.slack.requests import SlashRequest, reply_language
from bot.slack.text import escape, truncate
from bot.storage.answer_log import AnswerStats
from knowledge.text import Lang
from skills.wording import counted

if TYPE_CHECKING:
    from bot.services import Services

PERIOD_DAYS = 30
SHOWN = 8


def answers_command(services: Services, request: SlashRequest) -> None:
    request.ack()

    def work() -> None:
        lang = reply_language(request.client, request.user, request.text, "en")
        if not is_opsbot_admin(request.client, services.settings, request.user):
            text = say("answers_not_admin", lang, who=who_can(services.settings, lang))
            request.respond(response_type="ephemeral", **notice_message(text))
            return
        stats = services.answers.stats(datetime.now(UTC) - timedelta(days=PERIOD_DAYS), worst=SHOWN)
        request.respond(response_type="ephemeral", **stats_message(stats, lang))

    services.jobs.submit(work, name="ops-answers")


def stats_message(stats: AnswerStats, lang: Lang) -> dict[str, object]:
    """The counts first; then each question to work on, with its votes and what people said."""
    summary = say(
        "answers_summary",
        lang,
        days=str(PERIOD_DAYS),
        answered=str(stats.answered),
        questions=counted(stats.answered, "question"),
        unanswered=str(stats.unanswered),
        helpful=str(stats.helpful),
        not_helpful=str(stats.not_helpful),
    )
    blocks = [section(summary)]
    lines = []
    for record in stats.worst:
        said = f" — “{escape(truncate(' / '.join(record.reasons), 200))}”" if record.reasons else ""
        counts = say(
            "answers_question",
            lang,
            asked=str(record.asked),
            unanswered=str(record.unanswered),
            not_helpful=str(record.not_helpful),
        )
        lines.append(f"• {escape(truncate(record.question, 200))} ({counts}){said}")
    if lines:
        blocks.append(section("\n".join([f"*{say('answers_worst', lang)}*", *lines])))
    blocks.append(context(say("answers_next", lang)))
    return message(summary, blocks)
