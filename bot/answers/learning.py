"""Adding the team's documents from Slack: a file shared in a DM, or `/ops learn`; and `/ops sources`.

Only workspace admins (and the users named in OPSBOT_ADMINS) may change what opsbot answers from;
everyone else is told who can. The document is written by the process that owns the index.

A document learned in a private channel is restricted to it: answers and `/ops sources` elsewhere
do not show it. One learned in a public channel or in a DM with opsbot is public: an admin who
sends it to the bot privately is adding it to the team's knowledge, as before.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.messages import say
from bot.slack.admins import is_opsbot_admin, who_can
from bot.slack.blocks import context, failure_notice, message, notice_message, section
from bot.slack.files import SharedFile, download, file_id_in, file_info, latest_file
from bot.slack.text import escape, safe_url
from knowledge.ingest import IngestReport
from knowledge.loaders import MAX_DOCUMENT_BYTES, SPREADSHEET_SUFFIXES, SUPPORTED_SUFFIXES
from knowledge.text import Lang
from skills.errors import SkillError
from skills.wording import counted

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
SLACK_SOURCE_PREFIX = "slack/"
SOURCES_SHOWN = 40
_LEARN_WORDS = ("learn", "学习", "入库", "添加文档", "加入知识库", "add to knowledge")


def asks_to_learn(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in _LEARN_WORDS)


def is_document(shared: SharedFile) -> bool:
    """A file learned as soon as it is shared. A spreadsheet is learned only when asked (`/ops
    learn`, or "learn this" with it): most spreadsheets shared with opsbot are data to analyse."""
    suffix = PurePath(shared.name).suffix.lower()
    return suffix in SUPPORTED_SUFFIXES and suffix not in SPREADSHEET_SUFFIXES


def is_learnable(shared: SharedFile) -> bool:
    return PurePath(shared.name).suffix.lower() in SUPPORTED_SUFFIXES


def channel_visibility(client: WebClient, channel: str | None) -> str:
    """The visibility of a document learned in `channel`: the channel id when it is private, ""
    (public) for public channels and DMs. `G…` ids are private channels (legacy ids); otherwise
    conversations.info says. When Slack cannot say, the document stays private to the channel:
    a wrong guess must not publish it."""
    if not channel or channel.startswith("D"):
        return ""
    if channel.startswith("G"):
        return channel
    try:
        info = client.conversations_info(channel=channel).get("channel") or {}
    except SlackApiError as error:
        log.warning(
            "conversations.info %s failed (%s); keeping the document private",
            channel,
            error.response.get("error"),
        )
        return channel
    if info.get("is_im"):
        return ""
    return channel if info.get("is_private") or info.get("is_mpim") else ""


def learn(
    services: Services,
    client: WebClient,
    user: str,
    files: list[SharedFile],
    send: Callable[[dict[str, Any]], None],
    lang: Lang,
    channel: str | None = None,
) -> None:
    """Index each file (admins only) and send one summary: added, updated, unchanged, refused.
    `channel`: where it was asked; a private channel keeps the documents to itself."""
    if not is_opsbot_admin(client, services.settings, user):
        send(notice_message(say("learn_not_admin", lang, who=who_can(services.settings, lang))))
        return
    visibility = channel_visibility(client, channel)
    report = IngestReport()
    for number, shared in enumerate(files, start=1):
        send(learn_progress(shared.name, number, len(files), lang))
        source = SLACK_SOURCE_PREFIX + shared.name
        try:
            data = download(client, shared, max_bytes=MAX_DOCUMENT_BYTES)
        except SkillError as error:  # too large, not reachable: reported like any refused file
            report.files += 1
            report.refused.append((shared.name, error))
            continue
        try:
            single = services.knowledge.ingest(source, shared.name, data, shared.permalink, visibility)
        except Exception:
            send(failure_notice(log, f"indexing {shared.name}", lang))
            return
        _merge(report, single)
    send(learn_summary(report, lang, restricted=bool(visibility)))


def learn_command(
    services: Services,
    client: WebClient,
    respond: Callable[..., Any],
    words: str,
    channel: str,
    user: str,
    lang: Lang,
) -> None:
    """`/ops learn [FILE-LINK]`: the linked file, else the newest document or question-and-answer
    spreadsheet the user shared here."""

    def send(payload: dict[str, Any]) -> None:
        respond(response_type="ephemeral", replace_original=True, **payload)

    file_id = file_id_in(words)
    try:
        shared = file_info(client, file_id) if file_id else latest_file(client, channel, user, is_learnable)
    except SkillError as error:
        send(notice_message(f":warning: {escape(error.message(lang))}"))
        return
    if shared is None:
        send(notice_message(say("learn_needs_file", lang)))
        return
    learn(services, client, user, [shared], send, lang, channel)


def sources_command(
    services: Services, respond: Callable[..., Any], lang: Lang, channel: str | None = None
) -> None:
    """`/ops sources`; if the index cannot be read, the user hears that instead of waiting."""
    try:
        payload = sources_message(services, lang, channel)
    except Exception:
        payload = failure_notice(log, "listing sources", lang)
    respond(response_type="ephemeral", replace_original=True, **payload)


def _merge(total: IngestReport, part: IngestReport) -> None:
    total.files += part.files
    total.added += part.added
    total.updated += part.updated
    total.unchanged += part.unchanged
    total.refused += part.refused
    total.chunks_added += part.chunks_added
    total.chunks_updated += part.chunks_updated
    total.chunks_skipped += part.chunks_skipped
    total.duplicates += part.duplicates


_SUMMARY_LINES: dict[str, tuple[str, dict[Lang, str]]] = {
    "added": (":white_check_mark:", {"en": "Added: ", "zh": "已加入:"}),
    "updated": (":arrows_counterclockwise:", {"en": "Updated: ", "zh": "已更新:"}),
    "unchanged": (":ballot_box_with_check:", {"en": "Unchanged, skipped: ", "zh": "内容没有变化,已跳过:"}),
}


def learn_progress(name: str, number: int, total: int, lang: Lang) -> dict[str, Any]:
    """What is being read now; the same message later becomes the summary."""
    key = "learn_progress_one" if total == 1 else "learn_progress"
    return notice_message(say(key, lang, name=escape(name), number=str(number), total=str(total)))


def learn_summary(report: IngestReport, lang: Lang, restricted: bool = False) -> dict[str, Any]:
    """`restricted`: learned in a private channel, which the summary says (only it cites them)."""
    lines = []
    for field, (emoji, label) in _SUMMARY_LINES.items():
        if sources := getattr(report, field):
            names = ", ".join(escape(source.removeprefix(SLACK_SOURCE_PREFIX)) for source in sources)
            lines.append(f"{emoji} {label[lang]}{names}")
    for name, reason in report.refused:
        refused = "未加入" if lang == "zh" else "Not added,"
        lines.append(f":warning: {refused} {escape(name)}: {escape(reason.message(lang))}")
    if report.chunks and lang == "zh":
        duplicate = f",其中 {report.duplicates} 段与已有文档重复" if report.duplicates else ""
        lines.append(f"共写入 {report.chunks} 段{duplicate}。现在可以直接提问了。")
    elif report.chunks:
        duplicate = f" ({report.duplicates} repeat passages already indexed)" if report.duplicates else ""
        plural = "" if report.chunks == 1 else "s"
        lines.append(f"{report.chunks} passage{plural} written{duplicate}. Ask away.")
    if restricted and (report.added or report.updated or report.unchanged):
        private = "仅本频道的回答会引用它们。" if lang == "zh" else "Only answers in this channel cite them."
        lines.append(f":lock: {private}")
    return notice_message("\n".join(lines) or say("learn_nothing", lang))


def sources_message(services: Services, lang: Lang, channel: str | None = None) -> dict[str, Any]:
    """What `channel` may cite: public sources and its own (None: public ones only)."""
    every = [
        record
        for record in services.knowledge.sources()  # one call: it may cross to the answer process
        if record.visibility in ("", channel)
    ]
    records = [r for r in every if not r.source.startswith("playbook/")]
    playbook = len(every) - len(records)
    if lang == "zh":
        head = f"*知识来源*:运营手册 {playbook} 个文件,团队文档 {len(records)} 个。"
    else:
        head = (
            f"*Sources*: the playbook ({counted(playbook, 'file')}) and "
            f"{counted(len(records), 'team document')}."
        )
    lines = []
    for record in sorted(records, key=lambda r: -r.indexed_at)[:SOURCES_SHOWN]:
        when = datetime.datetime.fromtimestamp(record.indexed_at, tz=datetime.UTC).strftime("%Y-%m-%d")
        unit = "段" if lang == "zh" else "passage" if record.chunks == 1 else "passages"
        title = escape(record.title)
        url = safe_url(record.url)
        label = f"<{url}|{title}>" if url else title
        lines.append(f"• {label} — `{escape(record.source)}` · {record.chunks} {unit} · {when}")
    blocks = [section(head)]
    if lines:
        blocks.append(section("\n".join(lines)))
    if len(records) > SOURCES_SHOWN:
        blocks.append(context(f"… +{len(records) - SOURCES_SHOWN} (`opsbot sources`)"))
    return message(head, blocks)
