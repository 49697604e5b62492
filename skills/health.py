"""Client health: a score of 0 to 100 and a status (green, yellow, red) per client, from its usage
trend, the complaints and bugs filed for it, an overdue payment, a changed key contact, a renewal
coming up and a low NPS or CSAT. Each point taken off comes with its reason and the evidence.

Customer-success teams act on a falling account before the renewal date does; the renewal brief
reads the same signals (skills.renewal) for one client, this reads them for all of them daily.
The weights, thresholds and bands come from YAML (skills/data/health.yaml, a team's file on top),
validated before any client is scored.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib.resources import files
from typing import Any, Literal

import yaml

from skills.client_roster import ClientRecord
from skills.errors import Lang, SkillError, quoted
from skills.metrics_csv import metric_label
from skills.settings_yaml import SettingsFile

SIGNALS = (
    "usage_decline",
    "complaints",
    "overdue_payment",
    "key_contact_changed",
    "renewal_soon",
    "low_satisfaction",
)
THRESHOLDS = (
    "usage_decline_pct",
    "usage_decline_full_pct",
    "complaint_days",
    "complaints_full",
    "overdue_full_days",
    "renewal_days",
    "nps_low",
    "csat_low",
)
SECTIONS = ("weights", "thresholds", "bands")
RECENT_DAYS = 30
EARLIER_DAYS = 60
"""Usage is judged on the last RECENT_DAYS days against the EARLIER_DAYS before them, here and in
the renewal brief's usage report (skills.renewal)."""
MIN_DAYS_WITH_VALUES = 7
"""Each window needs this many days with a value before a trend is read from it."""
SATISFACTION_METRICS = ("nps", "csat")
_FILE = SettingsFile("health settings", "健康度配置")

Status = Literal["green", "yellow", "red"]


@dataclass(frozen=True)
class HealthConfig:
    weights: Mapping[str, float]
    thresholds: Mapping[str, float]
    green: float
    yellow: float

    def status(self, score: float) -> Status:
        return "green" if score >= self.green else "yellow" if score >= self.yellow else "red"


@dataclass(frozen=True)
class Reason:
    """A signal that took points off, with what shows it (in both languages)."""

    code: str
    points: float
    en: str
    zh: str

    def evidence(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class ClientHealth:
    client: str
    name: str
    owner: str
    score: int
    status: Status
    reasons: tuple[Reason, ...]
    """Biggest first."""

    def as_json(self, lang: Lang = "en") -> dict[str, object]:
        return {
            "client": self.client,
            "name": self.name,
            "owner": self.owner or None,
            "score": self.score,
            "status": self.status,
            "reasons": [
                {"code": r.code, "points": round(r.points, 1), "evidence": r.evidence(lang)}
                for r in self.reasons
            ],
        }


STATUS_RANK: dict[str, int] = {"green": 0, "yellow": 1, "red": 2}
STATUS_MARK: dict[str, str] = {"green": "🟢", "yellow": "🟡", "red": "🔴"}
"""How a status is shown at a terminal and in Slack."""


@dataclass(frozen=True)
class StatusChange:
    """A client whose status is red, or worse than on the last day recorded before."""

    health: ClientHealth
    before: str | None
    """The status on the last day recorded before (None: never recorded)."""

    def as_json(self, lang: Lang = "en") -> dict[str, object]:
        return {**self.health.as_json(lang), "status_before": self.before}


@dataclass(frozen=True)
class ClientSignals:
    """What is known of one client on the day scored: usage by metric (daily values, the 90 days
    before at least), complaints and bugs filed for it in the configured window."""

    record: ClientRecord
    usage: Mapping[str, Mapping[date, float]]
    complaints: int = 0


def default_health_yaml() -> str:
    """The shipped, commented defaults: what `opsbot health --print-config` prints."""
    return files("skills").joinpath("data/health.yaml").read_text(encoding="utf-8")


@cache
def _defaults() -> dict[str, Any]:
    return yaml.safe_load(default_health_yaml())


def load_health_config(text: str | None) -> HealthConfig:
    """Defaults, overridden by `text` (YAML); SkillError saying what to fix. `weights`, when given,
    replace the default weights entirely (a signal left out is not used); thresholds and bands are
    overridden entry by entry."""
    overrides = _parse_yaml(text) if text is not None else {}
    defaults = _defaults()
    sections = {name: {**defaults[name], **_mapping(overrides.get(name, {}), name)} for name in SECTIONS}
    if "weights" in overrides:
        sections["weights"] = _mapping(overrides["weights"], "weights")
    for name, allowed in (("weights", SIGNALS), ("thresholds", THRESHOLDS), ("bands", ("green", "yellow"))):
        unknown = [key for key in sections[name] if key not in allowed]
        if unknown:
            raise SkillError(
                f"Unknown entry {quoted(unknown[0])} under {name} in the health settings; "
                f"the entries are {', '.join(allowed)}.",
                f"健康度配置的 {name} 中有未知项 {quoted(unknown[0])};可用的项为 {', '.join(allowed)}。",
            )
    weights = {key: _number(value, f"weights.{key}") for key, value in sections["weights"].items()}
    negative = [key for key, value in weights.items() if value < 0]
    if negative:
        raise SkillError(
            f"weights.{negative[0]} is negative; use 0 to leave a signal out.",
            f"weights.{negative[0]} 为负数;不用的信号请设为 0。",
        )
    if sum(weights.values()) > 100:
        raise SkillError(
            f"The weights add up to {sum(weights.values()):g}: at most 100 points can be taken off.",
            f"权重之和为 {sum(weights.values()):g}:最多只能扣 100 分。",
        )
    thresholds = {key: _number(value, f"thresholds.{key}") for key, value in sections["thresholds"].items()}
    for key in ("usage_decline_full_pct", "complaint_days", "complaints_full", "overdue_full_days"):
        if thresholds[key] <= 0:
            raise SkillError(f"thresholds.{key} must be above 0.", f"thresholds.{key} 必须大于 0。")
    if thresholds["usage_decline_pct"] > thresholds["usage_decline_full_pct"]:
        raise SkillError(
            "thresholds.usage_decline_pct must not be above usage_decline_full_pct.",
            "thresholds.usage_decline_pct 不能大于 usage_decline_full_pct。",
        )
    green = _number(sections["bands"]["green"], "bands.green")
    yellow = _number(sections["bands"]["yellow"], "bands.yellow")
    if not 0 <= yellow <= green <= 100:
        raise SkillError(
            f"bands: need 0 ≤ yellow ≤ green ≤ 100 (got yellow {yellow:g}, green {green:g}).",
            f"bands:须满足 0 ≤ yellow ≤ green ≤ 100(现在 yellow {yellow:g},green {green:g})。",
        )
    return HealthConfig(weights, thresholds, green, yellow)


def _parse_yaml(text: str) -> dict[str, Any]:
    return _FILE.parse(text, SECTIONS)


def _mapping(value: Any, where: str) -> dict[str, Any]:
    return _FILE.mapping(value, where)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise SkillError(
            f"In the health settings, {where} must be a number, not {quoted(value)}.",
            f"健康度配置中 {where} 必须是数字,而不是 {quoted(value)}。",
        )
    return float(value)


def client_health(signals: ClientSignals, today: date, config: HealthConfig) -> ClientHealth:
    """The client's health on `today`, from the days before it."""
    record, limits, weights = signals.record, config.thresholds, config.weights
    reasons: list[Reason] = []

    def take(code: str, share: float, en: str, zh: str) -> None:
        points = weights.get(code, 0.0) * max(0.0, min(1.0, share))
        if points > 0:
            reasons.append(Reason(code, points, en, zh))

    usage = {m: s for m, s in signals.usage.items() if m not in SATISFACTION_METRICS}
    declines = [(pct, m) for m, s in usage.items() if (pct := decline_pct(s, today)) is not None]
    if declines:
        worst, metric = max(declines)
        if worst >= limits["usage_decline_pct"]:
            take(
                "usage_decline",
                worst / limits["usage_decline_full_pct"],
                f"{metric_label(metric, 'en')} down {worst:.0f}%: the last {RECENT_DAYS} days against the "
                f"{EARLIER_DAYS} before",
                f"{metric_label(metric, 'zh')}下降 {worst:.0f}%:近 {RECENT_DAYS} 天对比此前 {EARLIER_DAYS} 天",
            )
    if signals.complaints:
        days = int(limits["complaint_days"])
        take(
            "complaints",
            signals.complaints / limits["complaints_full"],
            f"{signals.complaints} complaints and bugs filed in the last {days} days",
            f"近 {days} 天登记了 {signals.complaints} 条投诉与缺陷",
        )
    overdue = record.values.get("payment")
    if isinstance(overdue, int | float) and overdue > 0:
        take(
            "overdue_payment",
            overdue / limits["overdue_full_days"],
            f"a payment {overdue:g} days overdue",
            f"有一笔款项逾期 {overdue:g} 天",
        )
    if record.key_contact_changed:
        take("key_contact_changed", 1.0, "the key contact has changed", "关键联系人已更换")
    left = record.days_to_renewal(today)
    if left is not None and left <= limits["renewal_days"]:
        end = record.contract_end
        take(
            "renewal_soon",
            1.0,
            f"the contract ends on {end} ({left} days)" if left >= 0 else f"the contract ended on {end}",
            f"合同 {end} 到期(还有 {left} 天)" if left >= 0 else f"合同已于 {end} 到期",
        )
    for metric, low in (("nps", limits["nps_low"]), ("csat", limits["csat_low"])):
        latest = _latest(signals.usage.get(metric, {}), today)
        if latest is not None and latest <= low:
            take(
                "low_satisfaction",
                1.0,
                f"{metric.upper()} {latest:g} (at or below {low:g})",
                f"{metric.upper()} {latest:g}(不高于 {low:g})",
            )
            break
    reasons.sort(key=lambda reason: -reason.points)
    score = max(0, round(100 - sum(reason.points for reason in reasons)))
    return ClientHealth(record.id, record.name, record.owner, score, config.status(score), tuple(reasons))


def decline_pct(series: Mapping[date, float], today: date) -> float | None:
    """How far the mean of the last RECENT_DAYS days fell below the mean of the EARLIER_DAYS before
    them, in percent (negative: it rose); None without enough values in either window."""
    recent = [
        v for back in range(1, RECENT_DAYS + 1) if (v := series.get(today - timedelta(days=back))) is not None
    ]
    earlier = [
        v
        for back in range(RECENT_DAYS + 1, RECENT_DAYS + EARLIER_DAYS + 1)
        if (v := series.get(today - timedelta(days=back))) is not None
    ]
    if len(recent) < MIN_DAYS_WITH_VALUES or len(earlier) < MIN_DAYS_WITH_VALUES:
        return None
    before = statistics.fmean(earlier)
    if before <= 0:
        return None
    return (before - statistics.fmean(recent)) / before * 100


def _latest(series: Mapping[date, float], today: date) -> float | None:
    """The most recent value before `today`, within the 90 days before it."""
    for back in range(1, RECENT_DAYS + EARLIER_DAYS + 1):
        value = series.get(today - timedelta(days=back))
        if value is not None:
            return value
    return None
