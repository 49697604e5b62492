"""Tier settings from YAML: the shipped defaults (skills/data/tiers.yaml) with a team's edits on top.

Everything is validated before any client is scored, and every error says which entry is wrong and
what would be right, because a silently ignored typo in a weight changes every client's tier.
"""

from __future__ import annotations

import difflib
import math
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from skills.errors import SkillError, quoted
from skills.settings_yaml import SettingsFile
from skills.tiers import BRAND_LEVELS, DIMENSIONS, TIER_ORDER, Tier, TierConfig
from skills.values import parse_number

SECTIONS = ("weights", "bands", "tiers", "overdue")
WEIGHT_TOTAL = 100.0
WEIGHT_TOLERANCE = 0.01
_FILE = SettingsFile("tier settings", "分层配置")


def default_tiers_yaml() -> str:
    """The shipped, commented defaults: what `opsbot tier --print-config` prints for teams to copy."""
    return files("skills").joinpath("data/tiers.yaml").read_text(encoding="utf-8")


@cache
def _defaults() -> dict[str, Any]:
    return yaml.safe_load(default_tiers_yaml())


def default_tier_config() -> TierConfig:
    return load_tier_config(None)


def load_tier_config(text: str | None) -> TierConfig:
    """Defaults, overridden section by section by `text` (YAML). `weights`, when given, replace the
    default weights entirely, so leaving a dimension out means not using it."""
    overrides = _parse_yaml(text) if text is not None else {}
    defaults = _defaults()
    weights = _weights(overrides.get("weights", defaults["weights"]))
    bands_spec = {**defaults["bands"], **_mapping(overrides.get("bands", {}), "bands")}
    unknown = [name for name in bands_spec if name not in DIMENSIONS]
    if unknown:
        raise _unknown_dimension(unknown[0], "bands")
    bands = {name: _numeric_bands(name, spec) for name, spec in bands_spec.items() if name != "brand"}
    brand_scores = _brand_scores(bands_spec["brand"])
    tiers = {**defaults["tiers"], **_mapping(overrides.get("tiers", {}), "tiers")}
    ka, regular = _thresholds(tiers)
    overdue = {**defaults["overdue"], **_mapping(overrides.get("overdue", {}), "overdue")}
    grace, cap = _overdue(overdue)
    return TierConfig(weights, bands, brand_scores, ka, regular, grace, cap)


def _parse_yaml(text: str) -> dict[str, Any]:
    return _FILE.parse(text, SECTIONS)


def _mapping(value: Any, where: str) -> dict[str, Any]:
    return _FILE.mapping(value, where)


def _unknown_dimension(name: str, where: str) -> SkillError:
    close = [known for known in DIMENSIONS if name and name in known] or difflib.get_close_matches(
        name, DIMENSIONS, n=1
    )
    hint_en = f" Did you mean {quoted(close[0])}?" if close else ""
    hint_zh = f"是不是 {quoted(close[0])}?" if close else ""
    known = ", ".join(DIMENSIONS)
    return SkillError(
        f"Unknown dimension {quoted(name)} in {where}.{hint_en} The dimensions are: {known}.",
        f"{where} 中有未知维度 {quoted(name)}。{hint_zh}可用的维度:{known}。",
    )


def _number(value: Any, what_en: str, what_zh: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise SkillError(
            f"{what_en} must be a number, not {quoted(value)}.",
            f"{what_zh} 必须是数字,而不是 {quoted(value)}。",
        )
    return float(value)


def _weights(spec: Any) -> dict[str, float]:
    weights: dict[str, float] = {}
    for name, value in _mapping(spec, "weights").items():
        if name not in DIMENSIONS:
            raise _unknown_dimension(name, "weights")
        weight = _number(value, f"The weight of {name}", f"{name} 的权重")
        if weight < 0:
            raise SkillError(
                f"The weight of {name} is negative ({weight:g}); use 0 to leave a dimension out.",
                f"{name} 的权重为负数({weight:g});不用的维度请设为 0。",
            )
        if weight > 0:
            weights[name] = weight
    total = sum(weights.values())
    if not weights:
        raise SkillError(
            "All weights are 0: give at least one dimension a weight.",
            "所有权重都为 0:至少给一个维度设置权重。",
        )
    if abs(total - WEIGHT_TOTAL) > WEIGHT_TOLERANCE:
        raise SkillError(
            f"The weights add up to {total:g}; they must add up to 100 "
            f"({', '.join(f'{k}: {v:g}' for k, v in weights.items())}).",
            f"权重之和为 {total:g},必须为 100({', '.join(f'{k}: {v:g}' for k, v in weights.items())})。",
        )
    return weights


def _score(value: Any, name: str) -> float:
    score = _number(value, f"A band score of {name}", f"{name} 的分档得分")
    if not 0 <= score <= 100:
        raise SkillError(
            f"Band scores of {name} must be between 0 and 100, not {score:g}.",
            f"{name} 的分档得分必须在 0 到 100 之间,而不是 {score:g}。",
        )
    return score


def _numeric_bands(name: str, spec: Any) -> tuple[tuple[float, float], ...]:
    bands: list[tuple[float, float]] = []
    for threshold, score in _mapping(spec, f"bands.{name}").items():
        try:
            bound = parse_number(threshold)
        except ValueError:
            raise SkillError(
                f"Band threshold {quoted(threshold)} of {name} is not a number (e.g. 50000 or 5万).",
                f"{name} 的分档门槛 {quoted(threshold)} 不是数字(如 50000 或 5万)。",
            ) from None
        bands.append((bound, _score(score, name)))
    if not bands:
        raise SkillError(f"bands.{name} is empty.", f"bands.{name} 为空。")
    bands.sort()
    scores = [score for _, score in bands]
    lower_is_better = DIMENSIONS[name].direction == "lower"
    ordered = scores == sorted(scores, reverse=lower_is_better)
    if not ordered:
        way_en = "go down (fewer overdue days is better)" if lower_is_better else "go up"
        way_zh = "随门槛升高而下降(逾期越少越好)" if lower_is_better else "随门槛升高而上升"
        raise SkillError(
            f"Band scores of {name} must {way_en} as thresholds rise, so a better client never scores "
            f"lower: {', '.join(f'{t:g}: {s:g}' for t, s in bands)}.",
            f"{name} 的分档得分必须{way_zh},这样更好的客户不会得分更低:"
            f"{', '.join(f'{t:g}: {s:g}' for t, s in bands)}。",
        )
    return tuple(bands)


def _brand_scores(spec: Any) -> dict[str, float]:
    scores = {}
    for level, score in _mapping(spec, "bands.brand").items():
        key = brand_level(level)
        if key is None:
            raise SkillError(
                f"Unknown brand level {quoted(level)}; the levels are {', '.join(BRAND_LEVELS)}.",
                f"未知的品牌等级 {quoted(level)};可用的等级:{', '.join(BRAND_LEVELS)}。",
            )
        scores[key] = _score(score, "brand")
    return scores


def brand_level(text: str) -> str | None:
    """The level key for a word a client list uses (`上市` → listed), or None."""
    word = text.strip().lower()
    for key, words in BRAND_LEVELS.items():
        if word in words:
            return key
    return None


def _only(section: dict[str, Any], name: str, allowed: tuple[str, ...]) -> None:
    """A misspelt setting must not be silently ignored."""
    unknown = [key for key in section if key not in allowed]
    if unknown:
        raise SkillError(
            f"Unknown setting {name}.{unknown[0]}; the settings of {name} are {', '.join(allowed)}.",
            f"未知的设置 {name}.{unknown[0]};{name} 的设置为 {', '.join(allowed)}。",
        )


def _thresholds(tiers: dict[str, Any]) -> tuple[float, float]:
    _only(tiers, "tiers", ("ka", "regular"))
    ka = _number(tiers["ka"], "tiers.ka", "tiers.ka")
    regular = _number(tiers["regular"], "tiers.regular", "tiers.regular")
    if not 0 < regular < ka <= 100:
        raise SkillError(
            f"Tier thresholds must satisfy 0 < regular < ka ≤ 100 (now regular {regular:g}, ka {ka:g}).",
            f"等级门槛须满足 0 < regular < ka ≤ 100(现在 regular 为 {regular:g},ka 为 {ka:g})。",
        )
    return ka, regular


def _overdue(overdue: dict[str, Any]) -> tuple[float, Tier]:
    _only(overdue, "overdue", ("grace_days", "caps_tier_at"))
    grace = _number(overdue["grace_days"], "overdue.grace_days", "overdue.grace_days")
    if grace < 0:
        raise SkillError("overdue.grace_days cannot be negative.", "overdue.grace_days 不能为负数。")
    cap = overdue["caps_tier_at"]
    if cap not in TIER_ORDER:
        raise SkillError(
            f"overdue.caps_tier_at must be one of {', '.join(TIER_ORDER)}, not {quoted(cap)}.",
            f"overdue.caps_tier_at 必须是 {', '.join(TIER_ORDER)} 之一,而不是 {quoted(cap)}。",
        )
    return grace, cap
