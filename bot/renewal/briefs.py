"""Renewal briefs from the stores: the client roster, the per-client usage metrics, the tier settings
and the renewal policy; rendered for a terminal and for Slack."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from bot.core.config import Settings
from bot.core.drafts import PolishedDraft, polish_draft
from bot.core.team_files import health_config, read_team_file, tier_config
from bot.slack.blocks import Block, context, message, section
from bot.slack.text import escape
from bot.storage.clients import ClientStore
from bot.storage.health import one_client_health
from bot.storage.metrics import MetricStore
from knowledge.answer import LLMCall
from skills.client_roster import ClientRecord
from skills.errors import Lang
from skills.health import STATUS_MARK
from skills.renewal import TREND_DAYS, RenewalBrief, build_brief, draft_message
from skills.renewal_policy import RenewalPolicy, load_renewal_policy
from skills.tiers import TIER_LABELS, score_client

DRAFT_PURPOSE: dict[Lang, str] = {
    "en": "a short renewal message from the account owner to the client's decision maker",
    "zh": "客户负责人写给客户决策人的简短续约沟通消息",
}
OFFER_NAMES: dict[str, dict[Lang, str]] = {
    "value_first": {"en": "Value first", "zh": "增值优先"},
    "early_signature": {"en": "Early signature", "zh": "提前签约"},
    "multi_year": {"en": "Multi-year", "zh": "多年合约"},
    "prepay": {"en": "Prepayment", "zh": "预付"},
    "retention": {"en": "Retention", "zh": "挽留"},
}
RISK_NAMES: dict[str, dict[Lang, str]] = {
    "key_contact_changed": {"en": "Key contact changed", "zh": "关键联系人变更"},
    "competitor_pressure": {"en": "Competitor pressure", "zh": "竞品压力"},
    "usage_decline": {"en": "Usage decline", "zh": "使用量下降"},
    "overdue_payment": {"en": "Overdue payment", "zh": "付款逾期"},
    "low_engagement": {"en": "Low engagement", "zh": "活跃度低"},
}


@dataclass(frozen=True)
class DraftedBrief:
    brief: RenewalBrief
    draft: PolishedDraft
    lang: Lang

    def as_json(self) -> dict[str, Any]:
        return {**self.brief.as_json(self.lang, self.draft.text), "draft_method": self.draft.method}


def renewal_policy(settings: Settings, path_text: str | None = None) -> RenewalPolicy:
    """The team's policy file when one is configured (read each time, so edits apply at once)."""
    if path_text is not None:
        return load_renewal_policy(path_text)
    text = read_team_file(settings.renewal_policy, "OPSBOT_RENEWAL_POLICY", "renewal policy", "续约策略")
    return load_renewal_policy(text)


def usage_series(engine: Engine, client: ClientRecord, today: date) -> dict[str, dict[date, float]]:
    """The client's own metrics over the last 90 days, stored under its id (or else its name)."""
    store = MetricStore(engine)
    since, until = today - timedelta(days=TREND_DAYS), today - timedelta(days=1)
    for key in dict.fromkeys((client.id, client.name)):
        metrics = store.metrics(key)
        if metrics:
            return {metric: store.series(metric, since, until, key) for metric in metrics}
    return {}


def brief_for(
    engine: Engine, settings: Settings, record: ClientRecord, today: date, policy: RenewalPolicy | None = None
) -> RenewalBrief:
    tiers = tier_config(settings)
    brief = build_brief(
        record,
        score_client(record.as_client(), tiers),
        usage_series(engine, record, today),
        today,
        policy or renewal_policy(settings),
        tiers,
    )
    return replace(brief, health=one_client_health(engine, record, today, health_config(settings)))


def draft_brief(
    engine: Engine,
    settings: Settings,
    query: str,
    today: date,
    lang: Lang,
    llm: LLMCall | None,
    policy: RenewalPolicy | None = None,
) -> DraftedBrief:
    """The brief for the client named `query` (SkillError with the closest names when unknown)."""
    brief = brief_for(engine, settings, ClientStore(engine).find(query), today, policy)
    return DraftedBrief(brief, client_draft(llm, brief, lang), lang)


def client_draft(llm: LLMCall | None, brief: RenewalBrief, lang: Lang) -> PolishedDraft:
    """The message to the client: the template, or the model's polish of it when every number is
    backed and it promises nothing the template did not (an offer only from the policy's ladder)."""
    return polish_draft(
        llm, draft_message(brief, lang), brief.facts(lang), lang, DRAFT_PURPOSE[lang], brief.allowed_offers()
    )


def _days_line(brief: RenewalBrief, lang: Lang) -> str:
    days, end = brief.days_to_renewal, brief.client.contract_end
    if days is None or end is None:
        return (
            "合同到期日未知(请在客户清单中补充 contract_end)"
            if lang == "zh"
            else "Contract end unknown (add contract_end to the client list)"
        )
    if days < 0:
        return (
            f"合同已于 {end} 到期({-days} 天前)"
            if lang == "zh"
            else f"The contract ended on {end} ({-days} days ago)"
        )
    return f"距续约 {days} 天({end})" if lang == "zh" else f"{days} days to renewal ({end})"


def _health_line(brief: RenewalBrief, lang: Lang) -> str:
    """The client's health score and status, as `opsbot health` gives them ("" when not scored)."""
    health = brief.health
    if health is None:
        return ""
    label = "健康度" if lang == "zh" else "Health"
    return f"{label}: {STATUS_MARK[health.status]} {health.score} ({health.status})"


def _tier_line(brief: RenewalBrief, lang: Lang) -> str:
    scored = brief.scored
    label = TIER_LABELS[scored.tier][0 if lang == "zh" else 1]
    arr = brief.client.arr
    value = "" if arr is None else (f",年合同额 {arr:,.0f}" if lang == "zh" else f", annual value {arr:,.0f}")
    return f"{'分层' if lang == 'zh' else 'Tier'}: {label} ({'评分' if lang == 'zh' else 'score'} {scored.score:.1f}){value}"


def _usage_lines(brief: RenewalBrief, lang: Lang) -> list[str]:
    if not brief.usage:
        return [
            "(没有该客户的使用数据:用 client 列导入指标)"
            if lang == "zh"
            else "(no usage data for this client: import metrics with a client column)"
        ]
    lines = []
    for line in brief.usage:
        recent = "—" if line.recent_avg is None else f"{line.recent_avg:,.1f}"
        earlier = "—" if line.earlier_avg is None else f"{line.earlier_avg:,.1f}"
        change = "" if line.change_pct is None else f" ({line.change_pct:+.1f}%)"
        trend = (
            ""
            if line.trend_pct is None
            else (
                f",90 天趋势 {line.trend_pct:+.1f}%/30 天"
                if lang == "zh"
                else f"; 90-day trend {line.trend_pct:+.1f}%/30d"
            )
        )
        if lang == "zh":
            lines.append(
                f"{line.label(lang)}:近 30 天日均 {recent},此前 60 天 {earlier}{change}{trend} {line.sparkline}"
            )
        else:
            lines.append(
                f"{line.label(lang)}: last 30 days {recent}/day vs {earlier} before{change}{trend} {line.sparkline}"
            )
    if brief.active_days is not None:
        lines.append(
            f"近 30 天有使用的天数:{brief.active_days}"
            if lang == "zh"
            else f"Days with use in the last 30: {brief.active_days}"
        )
    return lines


def _option_line(option: Any, lang: Lang) -> str:
    name = OFFER_NAMES[option.offer][lang]
    held = f" — {option.held_back[lang]}" if option.held_back else ""
    return f"{name} {option.discount_pct:g}%: {option.ask[lang]}{held}"


def render_text(drafted: DraftedBrief) -> str:
    """The brief for a terminal."""
    brief, lang = drafted.brief, drafted.lang
    zh = lang == "zh"
    lines = [
        f"{'续约简报' if zh else 'Renewal brief'}: {brief.client.name}",
        _days_line(brief, lang),
        _tier_line(brief, lang),
        *([line] if (line := _health_line(brief, lang)) else []),
    ]
    lines.append("使用情况:" if zh else "Usage:")
    lines += [f"  {line}" for line in _usage_lines(brief, lang)]
    lines.append("风险:" if zh else "Risks:")
    lines += [f"  ! [{r.code}] {r.evidence[lang]}" for r in brief.risks] or [
        "  (无)" if zh else "  (none found)"
    ]
    lines.append("可展示的成果:" if zh else "Wins to show:")
    lines += [f"  + {w.evidence[lang]}" for w in brief.wins] or ["  (无)" if zh else "  (none found)"]
    lines.append(f"{'折扣阶梯(上限' if zh else 'Discount ladder (ceiling '}{brief.ceiling_pct:g}%):")
    lines += [f"  {n}. {_option_line(o, lang)}" for n, o in enumerate(brief.discount_options, start=1)]
    lines.append("谈判提醒:" if zh else "Negotiation reminders:")
    lines += [f"  - {reminder[lang]}" for reminder in brief.reminders]
    lines.append(
        ("给决策人的消息草稿" if zh else "Draft to the decision maker")
        + (" (LLM):" if drafted.draft.method == "llm" else ":")
    )
    lines += [f"  {line}" if line else "" for line in drafted.draft.text.splitlines()]
    return "\n".join(lines)


def renewal_blocks(drafted: DraftedBrief) -> dict[str, Any]:
    """The brief as a Slack message; client-supplied text (names, competitor notes) is escaped."""
    brief, lang = drafted.brief, drafted.lang
    zh = lang == "zh"
    name = escape(brief.client.name)
    title = f"{'续约简报' if zh else 'Renewal brief'}: {name}"
    blocks: list[Block] = [
        section(f"*{title}*"),
        section(
            f"*{escape(_days_line(brief, lang))}*\n{escape(_tier_line(brief, lang))}"
            + (f"\n{escape(line)}" if (line := _health_line(brief, lang)) else "")
        ),
        section(
            f"*{'使用情况' if zh else 'Usage'}*\n"
            + "\n".join(f"• {escape(line)}" for line in _usage_lines(brief, lang))
        ),
    ]
    risk_text = "\n".join(
        f"• *{RISK_NAMES[r.code][lang]}* (`{r.code}`): {escape(r.evidence[lang])}" for r in brief.risks
    ) or ("未发现风险" if zh else "No risks found")
    blocks.append(section(f"*{'风险' if zh else 'Risks'}*\n{risk_text}"))
    win_text = "\n".join(f"• {escape(w.evidence[lang])}" for w in brief.wins) or (
        "暂无" if zh else "None found yet"
    )
    blocks.append(section(f"*{'可展示的成果' if zh else 'Wins to show'}*\n{win_text}"))
    ladder = "\n".join(
        f"{n}. {escape(_option_line(o, lang))}" for n, o in enumerate(brief.discount_options, start=1)
    )
    heading = (
        f"折扣阶梯(上限 {brief.ceiling_pct:g}%)"
        if zh
        else f"Discount ladder (ceiling {brief.ceiling_pct:g}%)"
    )
    blocks.append(section(f"*{heading}*\n{ladder}"))
    blocks.append(
        section(
            f"*{'谈判提醒' if zh else 'Negotiation reminders'}*\n"
            + "\n".join(f"• {r[lang]}" for r in brief.reminders)
        )
    )
    draft_heading = "给决策人的消息草稿" if zh else "Draft to the decision maker"
    quoted = "\n".join(f">{escape(line)}" for line in drafted.draft.text.splitlines())
    blocks.append(section(f"*{draft_heading}*\n{quoted}"))
    blocks.append(
        context(
            "仅你可见:请编辑后再发送。" if zh else "Only you can see this: edit the draft before you send it."
        )
    )
    return message(title, blocks)
