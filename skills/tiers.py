"""Client value scores and tiers (客户分层): nine dimensions, bands, weights, thresholds and a veto.

Each dimension's value becomes 0–100 through its bands (a step function that only moves one way, so
a client that is better on every dimension never scores lower); the weighted sum, divided by 100, is
the 0–100 score; thresholds turn the score into KA / regular / small-micro. An overdue payment flags
the client and caps the tier, because a client who does not pay is not one to invest a team in.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Tier = Literal["ka", "regular", "small_micro"]
TIER_ORDER: tuple[Tier, ...] = ("small_micro", "regular", "ka")
Direction = Literal["higher", "lower", "level"]
TOP_CONTRIBUTIONS = 3


@dataclass(frozen=True)
class Dimension:
    key: str
    zh: str
    en: str
    direction: Direction
    """higher: more is better; lower: less is better (overdue days); level: a named level (brand)."""
    unit_en: str = ""
    unit_zh: str = ""


DIMENSIONS: dict[str, Dimension] = {
    d.key: d
    for d in (
        Dimension("order_amount", "订单金额", "order amount", "higher", "yuan/year", "元/年"),
        Dimension("company_size", "企业规模", "company size", "higher", "employees", "人"),
        Dimension("gross_margin", "毛利率", "gross margin", "higher", "%", "%"),
        Dimension("product_breadth", "产品需求广度", "product breadth", "higher", "products", "个产品"),
        Dimension("cooperation_years", "合作年限", "cooperation years", "higher", "years", "年"),
        Dimension("influence", "行业影响力", "influence (referrals)", "higher", "referrals", "次转介绍"),
        Dimension("brand", "品牌形象", "brand", "level"),
        Dimension("payment", "付款记录", "payment record", "lower", "days overdue", "天逾期"),
        Dimension("growth", "成长潜力", "growth", "higher", "%", "%"),
    )
}

BRAND_LEVELS: dict[str, tuple[str, ...]] = {
    "global500": ("global500", "fortune500", "fortune 500", "global 500", "世界500强", "财富500强", "500强"),
    "listed": ("listed", "public", "ipo", "上市", "上市公司"),
    "high_valuation": ("high_valuation", "unicorn", "高估值", "独角兽"),
    "none": ("none", "no", "-", "无", "没有", "普通"),
}
"""Brand levels and the words a client list may use for them."""


@dataclass(frozen=True)
class ServiceModel:
    zh: str
    en: str


TIER_LABELS: dict[Tier, tuple[str, str]] = {
    "ka": ("KA 大客户", "KA (key account)"),
    "regular": ("普通客户", "Regular"),
    "small_micro": ("小微客户", "Small/micro"),
}

SERVICE_MODELS: dict[Tier, ServiceModel] = {
    "ka": ServiceModel(
        "资深客户成功经理 + 服务团队,高频拜访,覆盖用户、决策人和否决人",
        "Senior CSM plus a team, frequent visits, every role covered (user, decision maker, veto holder)",
    ),
    "regular": ServiceModel(
        "有经验的客户成功经理,批量覆盖,适度频率触达",
        "An experienced CSM; batch coverage with contact at a suitable frequency",
    ),
    "small_micro": ServiceModel(
        "普通客户成功经理 + 后台批量维护,适度频率触达",
        "A CSM with batch maintenance from the back office; contact at a suitable frequency",
    ),
}


@dataclass(frozen=True)
class TierConfig:
    """Validated settings (see `skills.tier_config.load_tier_config`); weights are > 0 and sum to 100."""

    weights: Mapping[str, float]
    bands: Mapping[str, tuple[tuple[float, float], ...]]
    """Numeric dimensions: (threshold, score) sorted by threshold."""
    brand_scores: Mapping[str, float]
    ka: float
    regular: float
    overdue_grace_days: float
    overdue_cap: Tier


ClientValue = float | str | None
"""A number, a brand level key, or None when the client list left the cell blank."""


@dataclass(frozen=True)
class Client:
    id: str
    name: str
    values: Mapping[str, ClientValue]
    line: int | None = None


@dataclass(frozen=True)
class Contribution:
    dimension: str
    value: ClientValue
    band_score: float
    weight: float

    @property
    def points(self) -> float:
        """Score points this dimension adds to the 0–100 total."""
        return self.band_score * self.weight / 100


@dataclass(frozen=True)
class ScoredClient:
    client: Client
    score: float
    tier: Tier
    uncapped_tier: Tier
    flags: tuple[str, ...]
    contributions: tuple[Contribution, ...]

    @property
    def capped(self) -> bool:
        return self.tier != self.uncapped_tier

    def top_contributions(self, count: int = TOP_CONTRIBUTIONS) -> list[Contribution]:
        ranked = sorted(self.contributions, key=lambda c: (-c.points, c.dimension))
        return [c for c in ranked if c.points > 0][:count]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.client.id,
            "name": self.client.name,
            "score": round(self.score, 2),
            "tier": self.tier,
            "uncapped_tier": self.uncapped_tier,
            "flags": list(self.flags),
            "contributions": {c.dimension: round(c.points, 2) for c in self.contributions},
        }


@dataclass(frozen=True)
class TierResult:
    clients: tuple[ScoredClient, ...]
    config: TierConfig = field(repr=False)
    notes: tuple[tuple[str, str], ...] = ()
    """(en, zh): how the file was read, such as a percent column taken as fractions."""

    def counts(self) -> dict[Tier, int]:
        counts: dict[Tier, int] = {tier: 0 for tier in reversed(TIER_ORDER)}
        for client in self.clients:
            counts[client.tier] += 1
        return counts

    def as_json(self) -> dict[str, Any]:
        return {
            "clients": [client.as_json() for client in self.clients],
            "tiers": self.counts(),
            "thresholds": {"ka": self.config.ka, "regular": self.config.regular},
            "weights": dict(self.config.weights),
            "notes": [en for en, _ in self.notes],
        }


def band_score(bands: tuple[tuple[float, float], ...], value: float, lower_is_better: bool = False) -> float:
    """The score of the highest threshold `value` reaches. Below the lowest threshold: 0, or the best
    score when less is better (fewer overdue days than any band can only be better)."""
    thresholds = [threshold for threshold, _ in bands]
    position = bisect.bisect_right(thresholds, value)
    if position:
        return bands[position - 1][1]
    return bands[0][1] if lower_is_better else 0.0


def dimension_score(dimension: str, value: ClientValue, config: TierConfig) -> float:
    if value is None:
        return 0.0
    if DIMENSIONS[dimension].direction == "level":
        return config.brand_scores.get(str(value), 0.0)
    lower_is_better = DIMENSIONS[dimension].direction == "lower"
    return band_score(config.bands[dimension], float(value), lower_is_better)


def tier_for(score: float, config: TierConfig) -> Tier:
    if score >= config.ka:
        return "ka"
    if score >= config.regular:
        return "regular"
    return "small_micro"


def is_overdue(client: Client, config: TierConfig) -> bool:
    days = client.values.get("payment")
    return isinstance(days, int | float) and days > config.overdue_grace_days


def score_client(client: Client, config: TierConfig) -> ScoredClient:
    contributions = tuple(
        Contribution(name, client.values.get(name), dimension_score(name, client.values.get(name), config), w)
        for name, w in config.weights.items()
    )
    # Rounded so that sums of floats like 12.5 + 57.5 land exactly on a threshold of 70.
    score = round(sum(c.points for c in contributions), 9)
    uncapped = tier_for(score, config)
    tier = uncapped
    flags: list[str] = []
    if is_overdue(client, config):
        flags.append("overdue")
        if TIER_ORDER.index(uncapped) > TIER_ORDER.index(config.overdue_cap):
            tier = config.overdue_cap
    flags.extend(f"missing:{name}" for name in config.weights if client.values.get(name) is None)
    return ScoredClient(client, score, tier, uncapped, tuple(flags), contributions)


def score_clients(
    clients: Iterable[Client], config: TierConfig, notes: tuple[tuple[str, str], ...] = ()
) -> TierResult:
    """Every client scored, best first (ties by id so the order is stable); `notes` say how the
    file was read, for the report."""
    scored = [score_client(client, config) for client in clients]
    scored.sort(key=lambda s: (-s.score, s.client.id))
    return TierResult(tuple(scored), config, notes)
