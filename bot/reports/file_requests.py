"""Files for the reports: RFM and tiers from `/ops rfm` / `/ops tier` or a CSV shared with the bot
(documents shared with it go to `bot.answers.learning`: bot.listeners.files decides which is which).

The report goes where the request was made (ephemeral for a slash command, the thread for a shared
file); the chart and the CSV export are shared as files beside it. A bad file gets the reason in the
user's language, and a failure anywhere still gets a reply.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient

from bot.core.messages import say
from bot.reports.file_analysis import Analysis, Kind, analyse, guess_kind, kind_in
from bot.slack.blocks import notice_message
from bot.slack.files import SharedFile, download, file_id_in, file_info, latest_csv, share_files
from bot.slack.requests import as_of_in, file_request_language
from bot.slack.text import escape
from skills.csv_files import refuse_binary
from skills.errors import Lang, SkillError

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)


@dataclass
class _Conversation:
    """Where replies go, and in which language (known better once the file has been read)."""

    send: Callable[[dict[str, Any]], None]
    lang: Lang

    def notice(self, key: str, **values: str) -> None:
        self.send(notice_message(say(key, self.lang, **values)))


def run_command(
    services: Services,
    client: WebClient,
    respond: Callable[..., Any],
    kind: Kind,
    text: str,
    channel: str,
    user: str,
) -> None:
    """`/ops rfm [file link] [as-of DATE]`: the linked file, else the user's latest CSV here."""
    conversation = _Conversation(
        lambda payload: respond(response_type="ephemeral", replace_original=True, **payload),
        file_request_language(text),
    )

    def work() -> Analysis | None:
        file_id = file_id_in(text)
        shared = file_info(client, file_id) if file_id else latest_csv(client, channel, user)
        if shared is None:
            conversation.notice(f"{kind}_needs_file")
            return None
        content = _csv_bytes(client, shared)
        conversation.lang = file_request_language(text, shared, content)
        return analyse(kind, content, shared.name, conversation.lang, services.settings, as_of_in(text))

    analysis = _guarded(work, conversation)
    if analysis is not None:
        conversation.send(analysis.payload)
        error = share_files(client, channel, analysis.uploads, analysis.comment)
        if error is not None:
            lang = conversation.lang
            respond(response_type="ephemeral", **notice_message(say("files_not_shared", lang, error=error)))


def analyse_shared_files(
    services: Services,
    client: WebClient,
    channel: str,
    thread_ts: str,
    text: str,
    shared_files: list[SharedFile],
) -> None:
    """Files shared with the bot that are not documents to learn, answered in the message's thread:
    CSVs analysed (RFM or tiers, by the words or the columns), anything else refused with the reason."""

    def post(payload: dict[str, Any]) -> None:
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, **payload)

    for shared in shared_files:
        conversation = _Conversation(post, file_request_language(text, shared))
        if not shared.is_csv:
            conversation.notice("unsupported_file", name=escape(shared.name))
            continue

        def work(shared: SharedFile = shared, conversation: _Conversation = conversation) -> Analysis | None:
            content = _csv_bytes(client, shared)
            conversation.lang = file_request_language(text, shared, content)
            kind = kind_in(text) or guess_kind(content)
            if kind is None:
                conversation.notice("file_kind_unknown", name=escape(shared.name))
                return None
            return analyse(kind, content, shared.name, conversation.lang, services.settings, as_of_in(text))

        analysis = _guarded(work, conversation)
        if analysis is not None:
            post(analysis.payload)
            error = share_files(client, channel, analysis.uploads, analysis.comment, thread_ts)
            if error is not None:
                conversation.notice("files_not_shared", error=error)


def _csv_bytes(client: WebClient, shared: SharedFile) -> bytes:
    """The CSV's bytes: the name must say CSV, and the content must be text, since a workbook or a
    PDF renamed .csv would otherwise be read as garbled columns (or guessed as no known kind)."""
    if not shared.is_csv:
        raise SkillError(
            f"{shared.name} is not a CSV file. Export the sheet as CSV (UTF-8 or GBK) and share that.",
            f"{shared.name} 不是 CSV 文件。请把表格导出为 CSV(UTF-8 或 GBK)再分享。",
        )
    content = download(client, shared)
    refuse_binary(content, shared.name)
    return content


def _guarded(work: Callable[[], Analysis | None], conversation: _Conversation) -> Analysis | None:
    """Run `work`; bad input is explained, anything else is logged with a reference the user sees."""
    try:
        return work()
    except SkillError as error:
        conversation.send(notice_message(f":warning: {escape(error.message(conversation.lang))}"))
    except Exception:
        reference = uuid.uuid4().hex[:8]
        log.exception("file analysis failed (reference %s)", reference)
        conversation.notice("failed", ref=reference)
    return None
