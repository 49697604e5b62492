"""`/ops health [CLIENT]` (`/ops 健康度`): the asker's clients (all clients for someone who owns
none) worst first, or one client's score, status and reasons with its score over time sent to the
asker's DM as a chart. Replies are ephemeral: health is internal."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.core.messages import say
from bot.core.team_files import health_config
from bot.health.chart import health_chart
from bot.slack.blocks import failure_notice, notice_message
from bot.slack.files import Upload, share_in_dm
from bot.slack.requests import SlashRequest, owner_for, reply_language
from bot.slack.text import escape
from bot.storage.clients import ClientStore
from bot.storage.health import HealthStore, clients_health, one_client_health
from knowledge.text import detect_language
from skills.errors import Lang, SkillError
from skills.health import STATUS_MARK, ClientHealth
from skills.schedule import local_day, parse_zone

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

SHOWN = 15
HISTORY_DAYS = 90


def health_command(services: Services, request: SlashRequest) -> None:
    lang: Lang = detect_language(request.text)
    request.ack(**notice_message(say("one_moment", lang)))

    def work() -> None:
        nonlocal lang
        lang = reply_language(request.client, request.user, request.text, lang)
        try:
            text, chart = _run(services, request, lang)
        except SkillError as error:
            text, chart = escape(error.message(lang)), None
        except Exception:
            notice = failure_notice(log, "health command", lang)
            request.respond(response_type="ephemeral", replace_original=True, **notice)
            return
        request.respond(response_type="ephemeral", replace_original=True, **notice_message(text))
        if chart is not None:
            _share_privately(request, chart, text.splitlines()[0])

    services.jobs.submit(work, name="ops-health")


def _run(services: Services, request: SlashRequest, lang: Lang) -> tuple[str, bytes | None]:
    engine = services.owners.engine
    config = health_config(services.settings)
    owner = owner_for(services.owners, request.client, request.user, services.settings.default_timezone)
    today = local_day(datetime.now(UTC), parse_zone(owner.tz))
    store = HealthStore(engine)
    if request.rest.strip():  # one client: scored alone, as its renewal brief scores it
        health = one_client_health(engine, ClientStore(engine).find(request.rest), today, config)
        store.record(today, [health])
        history = store.history(health.client, today - timedelta(days=HISTORY_DAYS))
        return _detail(health, lang), health_chart(health.name, history, config, lang)
    healths = clients_health(engine, today, config)
    store.record(today, healths)
    own = [h for h in healths if h.owner == request.user]
    shown = own or healths
    if not shown:
        raise SkillError(
            "No clients yet: import the client list first (`/ops clients` with the CSV shared here).",
            "还没有客户:请先导入客户清单(在这里分享 CSV 后运行 `/ops clients`)。",
        )
    title = (
        ("你的客户" if own else "全部客户") if lang == "zh" else ("Your clients" if own else "All clients")
    )
    lines = [f"*{title}*" + ("(从最差的开始)" if lang == "zh" else " (worst first)")]
    lines.extend(_line(health, lang) for health in shown[:SHOWN])
    if len(shown) > SHOWN:
        more = len(shown) - SHOWN
        lines.append(
            f"……还有 {more} 个:`opsbot health`" if lang == "zh" else f"…and {more} more: `opsbot health`"
        )
    return "\n".join(lines), None


def _line(health: ClientHealth, lang: Lang) -> str:
    reason = health.reasons[0].evidence(lang) if health.reasons else ""
    head = f"{STATUS_MARK[health.status]} *{escape(health.name)}* ({escape(health.client)}) {health.score}"
    return f"{head} · {escape(reason)}" if reason else head


def _detail(health: ClientHealth, lang: Lang) -> str:
    lines = [_line(health, lang).split(" · ")[0]]
    lines.extend(f"• −{reason.points:.0f} {escape(reason.evidence(lang))}" for reason in health.reasons)
    if not health.reasons:
        lines.append("没有扣分的信号。" if lang == "zh" else "Nothing takes points off.")
    return "\n".join(lines)


def _share_privately(request: SlashRequest, chart: bytes, title: str) -> None:
    """The chart goes to the asker's DM; it is an extra, so a failure is only logged."""
    error_code = share_in_dm(request.client, request.user, Upload("client-health.png", chart, title), title)
    if error_code is not None:
        log.info("the health chart was not shared (%s)", error_code)
