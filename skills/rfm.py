"""RFM segmentation of customers from their transactions.

Definitions:
- recency: days from the customer's last purchase to `as_of` (default: the day after the latest
  purchase in the data, so the most recent buyers have recency 1);
- frequency: number of orders (distinct order ids when the data has them, else transactions);
- monetary: sum of amounts.

Two segmentations are always computed:
- the 8-segment mean split common in Chinese teams: monetary above the mean → important (重要), else
  general (一般); recency below the mean → recent; frequency above the mean → high. (recent, high) →
  value (价值), (far, high) → keep (保持), (recent, low) → develop (发展), (far, low) → retain (挽留).
  A value equal to the mean is neither above nor below it;
- 1–5 scores: customers sorted ascending by (key, customer id), position i of n scores
  1 + floor(5·i/n), keyed on F, M and −recency for R; then the R×F grid (champions … hibernating).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from skills.errors import SkillError


@dataclass(frozen=True)
class Transaction:
    customer: str
    day: date
    amount: float
    order_id: str | None = None


@dataclass(frozen=True)
class CustomerRFM:
    customer: str
    recency: int
    frequency: int
    monetary: float
    r: int
    f: int
    m: int
    segment8: str
    segment: str


@dataclass(frozen=True)
class Segment:
    key: str
    zh: str
    en: str
    action_zh: str
    action_en: str


SEGMENTS8: dict[str, Segment] = {
    s.key: s
    for s in (
        Segment(
            "important_value",
            "重要价值客户",
            "Important value",
            "重点维护,提供专属权益和优先服务",
            "Keep them close: exclusive perks, priority service",
        ),
        Segment(
            "important_keep",
            "重要保持客户",
            "Important keep",
            "最近没来了,主动召回,了解原因",
            "They have gone quiet: reach out and find out why",
        ),
        Segment(
            "important_develop",
            "重要发展客户",
            "Important develop",
            "提升购买频次,推荐组合与会员计划",
            "Raise their frequency: bundles, membership",
        ),
        Segment(
            "important_retain",
            "重要挽留客户",
            "Important retain",
            "高价值但在流失,个性化优惠挽回",
            "High value but slipping away: win them back with a personal offer",
        ),
        Segment(
            "general_value",
            "一般价值客户",
            "General value",
            "提升客单价,推荐升级与加购",
            "Raise basket size: upgrades and add-ons",
        ),
        Segment(
            "general_keep",
            "一般保持客户",
            "General keep",
            "定期触达,保持存在感",
            "Stay in touch at a steady rhythm",
        ),
        Segment(
            "general_develop",
            "一般发展客户",
            "General develop",
            "引导第二次购买,培养习惯",
            "Lead them to the next purchase",
        ),
        Segment(
            "general_retain",
            "一般挽留客户",
            "General retain",
            "低成本批量触达,不再重点投入",
            "Low-cost batch reminders only",
        ),
    )
}

SEGMENTS: dict[str, Segment] = {
    s.key: s
    for s in (
        Segment(
            "champions",
            "最佳客户",
            "Champions",
            "回馈、优先体验新品、请他们转介绍",
            "Reward them, early access, ask for referrals",
        ),
        Segment("loyal", "忠诚客户", "Loyal", "会员权益与加购推荐", "Membership perks and upsell"),
        Segment(
            "potential_loyalist",
            "潜力忠诚客户",
            "Potential loyalist",
            "会员计划、个性化推荐",
            "Membership offers, personal recommendations",
        ),
        Segment(
            "new", "新客户", "New", "做好首单体验,引导第二单", "Great onboarding, lead to the second order"
        ),
        Segment(
            "promising",
            "有潜力客户",
            "Promising",
            "建立认知,发放小额优惠",
            "Build awareness, small incentives",
        ),
        Segment(
            "need_attention",
            "需要关注",
            "Need attention",
            "限时优惠,基于历史推荐",
            "Limited-time offers based on their history",
        ),
        Segment(
            "about_to_sleep",
            "即将沉睡",
            "About to sleep",
            "分享热门内容,低价唤醒",
            "Share popular items, low-cost reactivation",
        ),
        Segment(
            "at_risk",
            "有流失风险",
            "At risk",
            "个性化邮件或电话挽回",
            "Personal emails or calls to win them back",
        ),
        Segment(
            "cant_lose_them",
            "不能失去",
            "Can't lose them",
            "高价值挽回:专人联系、专属方案",
            "High-value win-back: a person calls, a tailored offer",
        ),
        Segment(
            "hibernating", "沉睡客户", "Hibernating", "低成本触达或不再投入", "Low-cost reach-outs or let go"
        ),
    )
}


@dataclass(frozen=True)
class RFMResult:
    as_of: date
    customers: tuple[CustomerRFM, ...]

    def counts8(self) -> dict[str, int]:
        return _count(self.customers, SEGMENTS8, lambda c: c.segment8)

    def counts(self) -> dict[str, int]:
        return _count(self.customers, SEGMENTS, lambda c: c.segment)

    def as_json(self) -> dict[str, object]:
        total = len(self.customers)

        def block(counts: dict[str, int]) -> dict[str, dict[str, float | int]]:
            return {key: {"count": n, "share": n / total if total else 0.0} for key, n in counts.items()}

        return {
            "customers": total,
            "as_of": self.as_of.isoformat(),
            "segments8": block(self.counts8()),
            "segments": block(self.counts()),
        }


def _count(customers: tuple[CustomerRFM, ...], table: dict[str, Segment], key) -> dict[str, int]:  # type: ignore[no-untyped-def]
    counts = dict.fromkeys(table, 0)
    for customer in customers:
        counts[key(customer)] += 1
    return counts


def segment_rfm(transactions: Iterable[Transaction], as_of: date | None = None) -> RFMResult:
    """Aggregate per customer, then both segmentations. Raises SkillError on empty or inconsistent data."""
    last: dict[str, date] = {}
    rows: dict[str, int] = defaultdict(int)
    orders: dict[str, set[str]] = defaultdict(set)
    spend: dict[str, float] = defaultdict(float)
    latest: date | None = None
    for t in transactions:
        if t.customer not in last or t.day > last[t.customer]:
            last[t.customer] = t.day
        rows[t.customer] += 1
        if t.order_id:
            orders[t.customer].add(t.order_id)
        spend[t.customer] += t.amount
        latest = t.day if latest is None or t.day > latest else latest
    if latest is None:
        raise SkillError("There are no transactions to segment.", "没有可分析的交易记录。")
    as_of = as_of or latest + timedelta(days=1)
    if as_of < latest:
        raise SkillError(
            f"as_of ({as_of.isoformat()}) is before the latest purchase ({latest.isoformat()}).",
            f"as_of({as_of.isoformat()})早于最后一笔交易日期({latest.isoformat()})。",
        )
    ids = sorted(last)
    recency = {c: (as_of - last[c]).days for c in ids}
    frequency = {c: len(orders[c]) if orders[c] else rows[c] for c in ids}
    monetary = {c: spend[c] for c in ids}
    r_scores = quintile_scores({c: -recency[c] for c in ids})
    f_scores = quintile_scores(frequency)
    m_scores = quintile_scores(monetary)
    count = len(ids)
    mean_r = sum(recency.values()) / count
    mean_f = sum(frequency.values()) / count
    mean_m = sum(monetary.values()) / count
    customers = tuple(
        CustomerRFM(
            customer=c,
            recency=recency[c],
            frequency=frequency[c],
            monetary=monetary[c],
            r=r_scores[c],
            f=f_scores[c],
            m=m_scores[c],
            segment8=segment8(recency[c] < mean_r, frequency[c] > mean_f, monetary[c] > mean_m),
            segment=grid_segment(r_scores[c], f_scores[c]),
        )
        for c in ids
    )
    return RFMResult(as_of, customers)


def quintile_scores(keys: dict[str, float] | dict[str, int]) -> dict[str, int]:
    """1 + floor(5 × percentile rank), where a value's percentile rank is the share of customers
    below it plus half the share equal to it. Equal values score the same, whatever the customer
    ids; a higher value never scores lower; all customers equal score 3; without ties, the sorted
    customers fall into five equal bands."""
    values = sorted(keys.values())
    n = len(values)
    below: dict[float, int] = {}
    equal: dict[float, int] = {}
    for position, value in enumerate(values):
        below.setdefault(value, position)
        equal[value] = equal.get(value, 0) + 1
    return {
        customer: 1 + (5 * (2 * below[value] + equal[value])) // (2 * n) for customer, value in keys.items()
    }


def segment8(recent: bool, high_frequency: bool, important: bool) -> str:
    kind = (
        "value"
        if recent and high_frequency
        else "keep"
        if high_frequency
        else "develop"
        if recent
        else "retain"
    )
    return f"{'important' if important else 'general'}_{kind}"


def grid_segment(r: int, f: int) -> str:
    """The R×F grid; every one of the 25 cells has exactly one segment."""
    if r == 5:
        return "new" if f == 1 else "potential_loyalist" if f <= 3 else "champions"
    if r == 4:
        return "promising" if f == 1 else "potential_loyalist" if f <= 3 else "loyal"
    if r == 3:
        return "about_to_sleep" if f <= 2 else "need_attention" if f == 3 else "loyal"
    return "hibernating" if f <= 2 else "at_risk" if f <= 4 else "cant_lose_them"
