"""The renewal brief (续约), following the playbook: show the client what they got out of the year,
know the internal and external threats, prepare discount options within policy, and negotiate
without promises, without bargaining outside the policy and without leaks.

Pure: the caller passes the client, its tier score, its usage series (metric → day → value, from the
metric store's per-client rows), today, the policy and the language. Usage compares the daily average
of the last 30 days with the 60 days before, and fits a straight line through the last 90 days for the
trend, expressed as a change per 30 days relative to the 90-day average.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from skills.client_roster import ClientRecord
from skills.errors import Lang
from skills.health import EARLIER_DAYS, RECENT_DAYS, ClientHealth
from skills.metrics_csv import metric_label
from skills.renewal_policy import Offer, RenewalPolicy
from skills.sparklines import sparkline
from skills.tiers import TIER_LABELS, ScoredClient, TierConfig
from skills.wording import counted

TREND_DAYS = RECENT_DAYS + EARLIER_DAYS
FLAT_TREND_PCT = 5.0
"""A 90-day trend within ±5% per 30 days is flat."""
WIN_GROWTH_PCT = 10.0
LOYAL_YEARS = 2
MEETING_MINUTES = 30

RiskCode = Literal[
    "key_contact_changed", "competitor_pressure", "usage_decline", "overdue_payment", "low_engagement"
]
Bilingual = dict[Lang, str]


@dataclass(frozen=True)
class UsageLine:
    metric: str
    recent_avg: float | None
    """Daily average over the last 30 days."""
    earlier_avg: float | None
    """Daily average over the 60 days before."""
    change_pct: float | None
    trend_pct: float | None
    """The 90-day straight-line trend, in % of the 90-day average per 30 days."""
    trend: Literal["up", "down", "flat"] | None
    sparkline: str
    """Weekly averages over the 90 days."""
    daily: tuple[tuple[date, float], ...]
    """The 90 days' values, for the chart."""

    def label(self, lang: Lang) -> str:
        return metric_label(self.metric, lang)


@dataclass(frozen=True)
class Finding:
    """A risk or a win: a code and the evidence for it, in both languages."""

    code: str
    evidence: Bilingual


@dataclass(frozen=True)
class DiscountOption:
    offer: Offer
    discount_pct: float
    ask: Bilingual
    """What the client gives in return."""
    held_back: Bilingual | None = None
    """Why this rung is not offered now (overdue payment), if it is not."""

    @property
    def available(self) -> bool:
        return self.held_back is None


@dataclass(frozen=True)
class RenewalBrief:
    client: ClientRecord
    today: date
    days_to_renewal: int | None
    scored: ScoredClient
    usage: tuple[UsageLine, ...]
    active_days: int | None
    """Days of the last 30 with any usage; None without usage data."""
    risks: tuple[Finding, ...]
    wins: tuple[Finding, ...]
    ceiling_pct: float
    discount_options: tuple[DiscountOption, ...]
    reminders: tuple[Bilingual, ...]
    health: ClientHealth | None = None
    """The client's health as `opsbot health` scores it (internal: never in the client's draft)."""

    @property
    def risk_codes(self) -> tuple[str, ...]:
        return tuple(risk.code for risk in self.risks)

    def allowed_offers(self) -> tuple[float, ...]:
        """The discounts (in %) a draft may name: the ladder's available offers within the ceiling."""
        return tuple(
            option.discount_pct
            for option in self.discount_options
            if option.available and option.discount_pct <= self.ceiling_pct
        )

    def facts(self, lang: Lang) -> dict[str, Any]:
        """What a draft may cite: every number in it must come from here."""
        return {
            "client": self.client.name,
            "contract_end": self.client.contract_end.isoformat() if self.client.contract_end else None,
            "days_to_renewal": self.days_to_renewal,
            "arr": self.client.arr,
            "tier": TIER_LABELS[self.scored.tier][0 if lang == "zh" else 1],
            "usage": [
                {
                    "metric": line.label(lang),
                    "recent_daily_average": _round(line.recent_avg),
                    "earlier_daily_average": _round(line.earlier_avg),
                    "change_pct": line.change_pct,
                    "window_days": [RECENT_DAYS, EARLIER_DAYS, TREND_DAYS],
                }
                for line in self.usage
            ],
            "wins": [win.evidence[lang] for win in self.wins],
            "concerns": [risk.code for risk in self.risks],
            "meeting_minutes": MEETING_MINUTES,
        }

    def as_json(self, lang: Lang, draft: str) -> dict[str, Any]:
        return {
            "client": {
                "id": self.client.id,
                "name": self.client.name,
                "arr": self.client.arr,
                "contract_end": self.client.contract_end.isoformat() if self.client.contract_end else None,
                "owner": self.client.owner,
            },
            "days_to_renewal": self.days_to_renewal,
            "tier": self.scored.tier,
            "score": round(self.scored.score, 2),
            "usage": [
                {
                    "metric": line.metric,
                    "last_30_days_avg": _round(line.recent_avg),
                    "previous_60_days_avg": _round(line.earlier_avg),
                    "change_pct": line.change_pct,
                    "trend_90_days_pct": line.trend_pct,
                    "trend": line.trend,
                }
                for line in self.usage
            ],
            "risks": [{"code": risk.code, "evidence": risk.evidence[lang]} for risk in self.risks],
            "wins": [win.evidence[lang] for win in self.wins],
            "discount_options": [
                {
                    "offer": option.offer,
                    "discount_pct": option.discount_pct,
                    "ask": option.ask[lang],
                    "available": option.available,
                    **({"held_back": option.held_back[lang]} if option.held_back else {}),
                }
                for option in self.discount_options
            ],
            "ceiling_pct": self.ceiling_pct,
            "reminders": [reminder[lang] for reminder in self.reminders],
            "health": None if self.health is None else self.health.as_json(lang),
            "draft": draft,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _window(series: Mapping[date, float], today: date, start_back: int, end_back: int) -> list[float]:
    """Values from `start_back` days before today up to `end_back` days before (inclusive)."""
    return [
        series[day]
        for back in range(start_back, end_back - 1, -1)
        if (day := today - timedelta(days=back)) in series
    ]


def _trend_pct(series: Mapping[date, float], today: date) -> float | None:
    """Least-squares slope over the 90 days, as % of their mean per 30 days."""
    points = [
        (-back, series[day])
        for back in range(TREND_DAYS, 0, -1)
        if (day := today - timedelta(days=back)) in series
    ]
    if len(points) < 14:
        return None
    xs, ys = [x for x, _ in points], [y for _, y in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0 or mean_y == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
    return round(slope * RECENT_DAYS / abs(mean_y) * 100, 1)


def usage_line(metric: str, series: Mapping[date, float], today: date) -> UsageLine:
    recent = _mean(_window(series, today, RECENT_DAYS, 1))
    earlier = _mean(_window(series, today, TREND_DAYS, RECENT_DAYS + 1))
    change = round((recent - earlier) / abs(earlier) * 100, 1) if recent is not None and earlier else None
    trend_pct = _trend_pct(series, today)
    trend: Literal["up", "down", "flat"] | None = None
    if trend_pct is not None:
        trend = "up" if trend_pct > FLAT_TREND_PCT else "down" if trend_pct < -FLAT_TREND_PCT else "flat"
    weeks = [  # whole weeks ending yesterday, so a collapse in the last days is the last bar
        _mean(_window(series, today, 7 * weeks_back, 7 * weeks_back - 6))
        for weeks_back in range(TREND_DAYS // 7, 0, -1)
    ]
    daily = tuple(
        (day, series[day])
        for back in range(TREND_DAYS, 0, -1)
        if (day := today - timedelta(days=back)) in series
    )
    return UsageLine(metric, recent, earlier, change, trend_pct, trend, sparkline(weeks), daily)


def _active_days(usage: Mapping[str, Mapping[date, float]], today: date) -> int | None:
    if not any(usage.values()):
        return None
    last_days = {today - timedelta(days=back) for back in range(1, RECENT_DAYS + 1)}
    return sum(1 for day in last_days if any(series.get(day, 0) > 0 for series in usage.values()))


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}".rstrip("0").rstrip(".")


def find_risks(
    client: ClientRecord,
    usage: tuple[UsageLine, ...],
    active_days: int | None,
    policy: RenewalPolicy,
    tiers: TierConfig,
) -> tuple[Finding, ...]:
    risks: list[Finding] = []
    if client.key_contact_changed:
        risks.append(
            Finding(
                "key_contact_changed",
                {
                    "en": "The key contact has changed: the new person has not seen the value yet.",
                    "zh": "关键联系人已更换:新对接人还没有看到产品带来的价值。",
                },
            )
        )
    if client.has_competitor_pressure:
        risks.append(
            Finding(
                "competitor_pressure",
                {
                    "en": f"Competitor pressure: {client.competitor_pressure}",
                    "zh": f"竞品压力:{client.competitor_pressure}",
                },
            )
        )
    declines = [
        line for line in usage if line.change_pct is not None and line.change_pct <= -policy.usage_decline_pct
    ]
    if declines:
        risks.append(
            Finding(
                "usage_decline",
                {
                    "en": "; ".join(
                        f"{line.label('en')}: {_number(line.recent_avg or 0)} a day over the last {RECENT_DAYS} days "
                        f"vs {_number(line.earlier_avg or 0)} in the {EARLIER_DAYS} days before ({line.change_pct:+.1f}%)"
                        for line in declines
                    ),
                    "zh": ";".join(
                        f"{line.label('zh')}:近 {RECENT_DAYS} 天日均 {_number(line.recent_avg or 0)},"
                        f"此前 {EARLIER_DAYS} 天日均 {_number(line.earlier_avg or 0)}({line.change_pct:+.1f}%)"
                        for line in declines
                    ),
                },
            )
        )
    overdue = client.values.get("payment")
    if isinstance(overdue, int | float) and overdue > tiers.overdue_grace_days:
        risks.append(
            Finding(
                "overdue_payment",
                {
                    "en": f"A payment is {overdue:g} days overdue.",
                    "zh": f"有一笔款项逾期 {overdue:g} 天。",
                },
            )
        )
    if active_days is not None and active_days < policy.low_engagement_active_share * RECENT_DAYS:
        risks.append(
            Finding(
                "low_engagement",
                {
                    "en": f"Used on {active_days} of the last {RECENT_DAYS} days.",
                    "zh": f"近 {RECENT_DAYS} 天中只有 {active_days} 天有使用。",
                },
            )
        )
    return tuple(risks)


def find_wins(client: ClientRecord, usage: tuple[UsageLine, ...], tiers: TierConfig) -> tuple[Finding, ...]:
    wins: list[Finding] = []
    for line in usage:
        if line.change_pct is not None and line.change_pct >= WIN_GROWTH_PCT:
            wins.append(
                Finding(
                    "usage_growth",
                    {
                        "en": f"{line.label('en')} up {line.change_pct:.1f}%: {_number(line.recent_avg or 0)} a day "
                        f"over the last {RECENT_DAYS} days, from {_number(line.earlier_avg or 0)}.",
                        "zh": f"{line.label('zh')}增长 {line.change_pct:.1f}%:近 {RECENT_DAYS} 天日均 "
                        f"{_number(line.recent_avg or 0)},此前为 {_number(line.earlier_avg or 0)}。",
                    },
                )
            )
        elif line.trend == "up":
            wins.append(
                Finding(
                    "usage_trend",
                    {
                        "en": f"{line.label('en')} has trended up over {TREND_DAYS} days ({line.trend_pct:+.1f}% per {RECENT_DAYS} days).",
                        "zh": f"{line.label('zh')}近 {TREND_DAYS} 天呈上升趋势(每 {RECENT_DAYS} 天 {line.trend_pct:+.1f}%)。",
                    },
                )
            )
    values = client.values
    growth = values.get("growth")
    if isinstance(growth, int | float) and growth > 0:
        wins.append(
            Finding("order_growth", {"en": f"Orders grew {growth:g}%.", "zh": f"订单增长 {growth:g}%。"})
        )
    referrals = values.get("influence")
    if isinstance(referrals, int | float) and referrals > 0:
        wins.append(
            Finding(
                "referrals",
                {
                    "en": f"Referred {counted(referrals, 'other client')}.",
                    "zh": f"转介绍了 {referrals:g} 个客户。",
                },
            )
        )
    years = values.get("cooperation_years")
    if isinstance(years, int | float) and years >= LOYAL_YEARS:
        wins.append(
            Finding("loyalty", {"en": f"A client for {years:g} years.", "zh": f"已合作 {years:g} 年。"})
        )
    payment = values.get("payment")
    if isinstance(payment, int | float) and payment <= tiers.overdue_grace_days:
        wins.append(Finding("pays_on_time", {"en": "Pays on time.", "zh": "付款及时。"}))
    return tuple(wins)


OFFER_ASKS: dict[Offer, Bilingual] = {
    "value_first": {
        "en": "Renew at the current price; add value instead (training, a business review, a success plan).",
        "zh": "按原价续约,以增值服务代替折扣(培训、业务复盘、成功计划)。",
    },
    "early_signature": {
        "en": "Sign the renewal early, before the last month of the contract.",
        "zh": "在合同最后一个月之前提前签约。",
    },
    "multi_year": {"en": "Commit to a two-year renewal.", "zh": "承诺续约两年。"},
    "prepay": {"en": "Pay the year up front.", "zh": "预付全年费用。"},
    "retention": {
        "en": "Last resort to keep the client: needs your manager's sign-off before it is mentioned.",
        "zh": "挽留客户的最后一步:提出前须经主管批准。",
    },
}


def discount_ladder(
    scored: ScoredClient, risks: tuple[Finding, ...], policy: RenewalPolicy
) -> tuple[float, tuple[DiscountOption, ...]]:
    """The tier's ceiling and the rungs this client's risks open, never above the ceiling."""
    ceiling = policy.ceilings[scored.tier]
    overdue = any(risk.code == "overdue_payment" for risk in risks)
    options = []
    for rung in policy.ladder:
        if rung.min_risks > len(risks):
            continue
        # Rounded down to a tenth of a point: rounding up could cross the ceiling (1.75 → 1.8).
        discount = math.floor(min(rung.share, 1.0) * ceiling * 10 + 1e-9) / 10
        held_back = None
        if overdue and rung.share > policy.overdue_max_share:
            held_back = {
                "en": "Held back until the overdue payment is settled.",
                "zh": "逾期款项结清前暂不提供。",
            }
        options.append(DiscountOption(rung.offer, discount, OFFER_ASKS[rung.offer], held_back))
    return ceiling, tuple(options)


def negotiation_reminders(
    brief_risks: tuple[Finding, ...], ceiling: float, tier_label: Bilingual
) -> tuple[Bilingual, ...]:
    codes = {risk.code for risk in brief_risks}
    reminders: list[Bilingual] = [
        {
            "en": "No promises: commit to nothing outside the contract (features, dates, service levels).",
            "zh": "不承诺:合同之外的功能、上线时间、服务水平一概不做承诺。",
        },
        {
            "en": f"No bargaining outside the policy: {ceiling:g}% is the ceiling for a {tier_label['en']} "
            "client; go up the ladder one rung at a time, each for something in return.",
            "zh": f"不议价:{tier_label['zh']}的折扣上限为 {ceiling:g}%;按阶梯逐级让步,每一级都要换回对方的承诺。",
        },
        {
            "en": "No leaks: never mention other clients' prices or discounts, or this policy.",
            "zh": "不泄密:不提其他客户的价格、折扣,也不透露本策略。",
        },
        {
            "en": "Show the usage report first; talk about price last.",
            "zh": "先讲使用数据和价值,最后再谈价格。",
        },
    ]
    if "key_contact_changed" in codes:
        reminders.append(
            {
                "en": "Meet the new contact before the renewal talk, and reach every role: the users, the "
                "decision maker and the department head who can veto.",
                "zh": "续约谈判前先拜访新对接人,并覆盖所有角色:使用者、决策人和有否决权的部门负责人。",
            }
        )
    if "competitor_pressure" in codes:
        reminders.append(
            {
                "en": "Answer a competitor's price with your results, not with a matching discount.",
                "zh": "面对竞品压价,用成果回应,而不是跟着降价。",
            }
        )
    return tuple(reminders)


def build_brief(
    client: ClientRecord,
    scored: ScoredClient,
    usage_series: Mapping[str, Mapping[date, float]],
    today: date,
    policy: RenewalPolicy,
    tiers: TierConfig,
) -> RenewalBrief:
    usage = tuple(
        usage_line(metric, series, today) for metric, series in sorted(usage_series.items()) if series
    )
    active = _active_days(usage_series, today)
    risks = find_risks(client, usage, active, policy, tiers)
    ceiling, options = discount_ladder(scored, risks, policy)
    labels = TIER_LABELS[scored.tier]
    reminders = negotiation_reminders(risks, ceiling, {"zh": labels[0], "en": labels[1]})
    return RenewalBrief(
        client,
        today,
        client.days_to_renewal(today),
        scored,
        usage,
        active,
        risks,
        find_wins(client, usage, tiers),
        ceiling,
        options,
        reminders,
    )


def draft_message(brief: RenewalBrief, lang: Lang) -> str:
    """A message to the client's decision maker: the renewal date, what they achieved, an invitation
    to review. No prices and no discounts in writing: those are for the conversation."""
    client = brief.client
    when = client.contract_end.isoformat() if client.contract_end else None
    wins = [
        win.evidence[lang].rstrip("。.")
        for win in brief.wins
        if win.code in ("usage_growth", "usage_trend", "order_growth")
    ]
    declining = [
        line.label(lang) for line in brief.usage if line.change_pct is not None and line.change_pct < 0
    ]
    if lang == "zh":
        parts = [f"{client.name} 的负责人您好:"]
        if when:
            parts.append(f"贵司与我们的合同将于 {when} 到期。续约之前,我们想和您一起回顾这一年的使用成果。")
        else:
            parts.append("我们想和您一起回顾这一年的使用成果,并规划明年的合作。")
        if wins:
            parts.append("几项亮点:" + ";".join(wins) + "。")
        if declining:
            parts.append(
                f"我们也注意到{'、'.join(declining)}近期有所下降,希望听听您的意见,一起看看如何帮团队用得更好。"
            )
        parts.append(f"能否在接下来两周内约 {MEETING_MINUTES} 分钟,一起看看使用报告并规划明年的目标?")
        parts.append("期待您的回复。")
        return "\n\n".join(parts)
    parts = [f"Hello {client.name} team,"]
    if when:
        parts.append(
            f"Your contract with us renews on {when}. Before then, we would like to review with you what your team achieved this year."
        )
    else:
        parts.append(
            "We would like to review with you what your team achieved this year and plan the year ahead."
        )
    if wins:
        parts.append("A few highlights: " + "; ".join(wins) + ".")
    if declining:
        parts.append(
            f"We also noticed that {', '.join(d.lower() for d in declining)} dropped recently, and we would like to hear how we can "
            "help your team get more out of it."
        )
    parts.append(
        f"Could we find {MEETING_MINUTES} minutes in the next two weeks to go through the usage report and plan next year's goals?"
    )
    parts.append("Best regards,")
    return "\n\n".join(parts)
