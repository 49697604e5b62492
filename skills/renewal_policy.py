"""The renewal policy from YAML: the shipped defaults (skills/data/renewal.yaml) with a team's edits.

Validated before any brief is drafted, because a typo in a ceiling would put a discount in front of a
client that nobody approved. Every error names the entry and what would be right.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any, Literal

import yaml

from skills.errors import SkillError, quoted
from skills.settings_yaml import YAML_LOADER
from skills.tiers import TIER_ORDER, Tier

Offer = Literal["value_first", "early_signature", "multi_year", "prepay", "retention"]
OFFERS: tuple[Offer, ...] = ("value_first", "early_signature", "multi_year", "prepay", "retention")
SECTIONS = ("ceilings", "ladder", "overdue_max_share", "risks", "reminder_days")
MAX_CEILING = 50.0
"""No renewal policy discounts half the contract away; above this a figure is a typo (15 → 150)."""


@dataclass(frozen=True)
class Rung:
    offer: Offer
    share: float
    min_risks: int


@dataclass(frozen=True)
class RenewalPolicy:
    ceilings: dict[Tier, float]
    ladder: tuple[Rung, ...]
    overdue_max_share: float
    usage_decline_pct: float
    low_engagement_active_share: float
    reminder_days: tuple[int, ...]
    """Descending: the earliest reminder first."""


def default_policy_yaml() -> str:
    return files("skills").joinpath("data/renewal.yaml").read_text(encoding="utf-8")


@cache
def _defaults() -> dict[str, Any]:
    return yaml.safe_load(default_policy_yaml())


def default_renewal_policy() -> RenewalPolicy:
    return load_renewal_policy(None)


def load_renewal_policy(text: str | None) -> RenewalPolicy:
    """Defaults, overridden section by section by `text` (YAML)."""
    overrides = _parse(text) if text is not None else {}
    merged = {**_defaults(), **overrides}
    risks = {**_defaults()["risks"], **_mapping(overrides.get("risks", {}), "risks")}
    unknown = [key for key in risks if key not in _defaults()["risks"]]
    if unknown:
        raise _unknown(unknown[0], list(_defaults()["risks"]), "risks")
    return RenewalPolicy(
        _ceilings(merged["ceilings"]),
        _ladder(merged["ladder"]),
        _share(merged["overdue_max_share"], "overdue_max_share"),
        _number(risks["usage_decline_pct"], "risks.usage_decline_pct", 1, 100),
        _share(risks["low_engagement_active_share"], "risks.low_engagement_active_share"),
        _reminder_days(merged["reminder_days"]),
    )


def _parse(text: str) -> dict[str, Any]:
    try:
        data = yaml.load(text, Loader=YAML_LOADER)
    except (yaml.YAMLError, ValueError, RecursionError) as error:  # ValueError: 2024-02-30, `!!int x`
        mark = getattr(error, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        line_zh = f"(第 {mark.line + 1} 行)" if mark is not None else ""
        raise SkillError(
            f"The renewal policy is not valid YAML{line}.", f"续约策略不是有效的 YAML{line_zh}。"
        ) from None
    data = _mapping(data or {}, "the file")
    unknown = [key for key in data if key not in SECTIONS]
    if unknown:
        raise _unknown(unknown[0], list(SECTIONS), "the renewal policy")
    return data


def _unknown(name: str, known: list[str], where: str) -> SkillError:
    close = difflib.get_close_matches(str(name), known, n=1)
    hint = f" Did you mean {quoted(close[0])}?" if close else f" Known: {', '.join(known)}."
    hint_zh = f"是不是 {quoted(close[0])}?" if close else f"可用:{', '.join(known)}。"
    return SkillError(
        f"Unknown entry {quoted(name)} in {where}.{hint}", f"{where} 中有未知的项 {quoted(name)}。{hint_zh}"
    )


def _mapping(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SkillError(
            f"In the renewal policy, {where} must be a mapping (name: value).",
            f"续约策略中 {where} 应为「名称: 值」的映射。",
        )
    return value


def _number(value: object, where: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise SkillError(
            f"In the renewal policy, {where} must be a number from {low:g} to {high:g} (it is {quoted(value)}).",
            f"续约策略中 {where} 应为 {low:g} 到 {high:g} 之间的数字(现在是 {quoted(value)})。",
        )
    return float(value)


def _share(value: object, where: str) -> float:
    return _number(value, where, 0, 1)


def _ceilings(value: object) -> dict[Tier, float]:
    given = _mapping(value, "ceilings")
    unknown = [key for key in given if key not in TIER_ORDER]
    if unknown:
        raise _unknown(unknown[0], list(TIER_ORDER), "ceilings")
    ceilings = {**_defaults()["ceilings"], **given}
    return {tier: _number(ceilings[tier], f"ceilings.{tier}", 0, MAX_CEILING) for tier in TIER_ORDER}


def _ladder(value: object) -> tuple[Rung, ...]:
    if not isinstance(value, list) or not value:
        raise SkillError(
            "In the renewal policy, ladder must be a list of rungs (offer, share, min_risks).",
            "续约策略中 ladder 应为阶梯列表(offer、share、min_risks)。",
        )
    rungs: list[Rung] = []
    for number, item in enumerate(value, start=1):
        entry = _mapping(item, f"ladder rung {number}")
        offer = entry.get("offer")
        if offer not in OFFERS:
            raise _unknown(str(offer), list(OFFERS), f"ladder rung {number}")
        share = _share(entry.get("share"), f"ladder rung {number} share")
        min_risks = entry.get("min_risks", 0)
        if isinstance(min_risks, bool) or not isinstance(min_risks, int) or not 0 <= min_risks <= 5:
            raise SkillError(
                f"In the renewal policy, ladder rung {number} min_risks must be a whole number from 0 to 5.",
                f"续约策略中第 {number} 级的 min_risks 应为 0 到 5 的整数。",
            )
        if rungs and share < rungs[-1].share:
            raise SkillError(
                f"In the renewal policy, ladder rung {number} gives less than the rung before it: "
                "order the rungs from the smallest discount up.",
                f"续约策略中第 {number} 级的折扣小于上一级:请按折扣从小到大排列。",
            )
        rungs.append(Rung(offer, share, min_risks))
    return tuple(rungs)


def _reminder_days(value: object) -> tuple[int, ...]:
    if (
        not isinstance(value, list)
        or not value
        or any(isinstance(d, bool) or not isinstance(d, int) or not 1 <= d <= 365 for d in value)
    ):
        raise SkillError(
            "In the renewal policy, reminder_days must be a list of days from 1 to 365, e.g. [90, 60, 30].",
            "续约策略中 reminder_days 应为 1 到 365 之间的天数列表,例如 [90, 60, 30]。",
        )
    return tuple(sorted(set(value), reverse=True))
