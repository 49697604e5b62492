"""`/ops renewal CLIENT` (a brief only the asker sees, its usage chart in their DM) and
`/ops clients` (import the client roster from a CSV shared in the conversation; admins only)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from slack_sdk import WebClient

from bot.core.llm import create_llm
from bot.core.messages import say
from bot.core.team_files import tier_config
from bot.renewal.briefs import draft_brief, renewal_blocks
from bot.renewal.chart import usage_chart
from bot.slack.admins import is_opsbot_admin, who_can
from bot.slack.blocks import failure_notice, notice_message
from bot.slack.files import Upload, download, file_id_in, file_info, latest_csv, share_in_dm
from bot.slack.requests import SlashRequest, file_request_language, owner_for, reply_language
from bot.slack.text import escape
from bot.storage.clients import ClientStore
from knowledge.text import detect_language
from skills.client_roster import parse_roster
from skills.errors import Lang, SkillError
from skills.schedule import local_day, parse_zone
from skills.wording import counted

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)


def renewal_command(services: Services, request: SlashRequest) -> None:
    language: list[Lang] = [detect_language(request.rest or request.text)]
    request.ack(**notice_message(say("one_moment", language[0])))

    def work() -> None:
        language[0] = reply_language(request.client, request.user, request.rest, language[0])
        lang = language[0]
        owner = owner_for(services.owners, request.client, request.user, services.settings.default_timezone)
        today = local_day(datetime.now(UTC), parse_zone(owner.tz))
        drafted = draft_brief(
            services.owners.engine,
            services.settings,
            request.rest,
            today,
            lang,
            create_llm(services.settings),
        )
        request.respond(response_type="ephemeral", replace_original=True, **renewal_blocks(drafted))
        chart = usage_chart(drafted.brief, lang)
        if chart is not None:
            _share_chart_privately(request, chart, f"{drafted.brief.client.name} · {say('usage', lang)}")

    services.jobs.submit(_run_guarded(work, request, lambda: language[0], "renewal"), name="ops-renewal")


def _share_chart_privately(request: SlashRequest, chart: bytes, title: str) -> None:
    """The chart goes to the asker's DM: the brief is theirs alone. It is an extra, so a failure is
    logged and the brief they already have stays."""
    error_code = share_in_dm(
        request.client, request.user, Upload("renewal-usage.png", chart, title), escape(title)
    )
    if error_code is not None:
        log.info("the renewal chart was not shared (%s)", error_code)


def clients_command(services: Services, request: SlashRequest) -> None:
    language: list[Lang] = [file_request_language(request.rest)]
    request.ack(**notice_message(say("working_file", language[0])))

    def work() -> None:
        client: WebClient = request.client
        if not is_opsbot_admin(client, services.settings, request.user):
            raise SkillError(
                f"Only {who_can(services.settings, 'en')} can import the client list.",
                f"只有{who_can(services.settings, 'zh')}可以导入客户清单。",
            )
        file_id = file_id_in(request.text)
        shared = file_info(client, file_id) if file_id else latest_csv(client, request.channel, request.user)
        if shared is None or not shared.is_csv:
            raise SkillError(
                "Share the client list CSV here first (id, name, arr, contract_end, owner, and the tier "
                "columns), then run `/ops clients` again. A file link works too: `/ops clients LINK`.",
                "请先把客户清单 CSV(id、name、arr、contract_end、owner 及分层所需的列)分享到这里,再运行 "
                "`/ops clients`。也可以附上文件链接:`/ops clients 链接`。",
            )
        content = download(client, shared)
        language[0] = file_request_language(request.rest, shared, content)
        roster = parse_roster(content, tier_config(services.settings))
        saved = ClientStore(services.owners.engine).save(roster.clients)
        lang = language[0]
        text = (
            f"已导入 {len(roster.clients)} 个客户:新增 {saved.added},更新 {saved.updated}。"
            if lang == "zh"
            else f"Imported {counted(len(roster.clients), 'client')}: {saved.added} added, {saved.updated} updated."
        )
        notes = "\n".join(f"• {escape(note[1] if lang == 'zh' else note[0])}" for note in roster.warnings)
        request.respond(
            response_type="ephemeral",
            replace_original=True,
            **notice_message(text + (f"\n{notes}" if notes else "")),
        )

    services.jobs.submit(
        _run_guarded(work, request, lambda: language[0], "clients import"), name="ops-clients"
    )


def _run_guarded(
    work: Callable[[], None], request: SlashRequest, lang: Callable[[], Lang], name: str
) -> Callable[[], None]:
    """`work` for the job queue: bad input is explained, anything else gets a reference number."""

    def run() -> None:
        try:
            work()
        except SkillError as error:
            request.respond(
                response_type="ephemeral",
                replace_original=True,
                **notice_message(f":warning: {escape(error.message(lang()))}"),
            )
        except Exception:
            notice = failure_notice(log, name, lang())
            request.respond(response_type="ephemeral", replace_original=True, **notice)

    return run
