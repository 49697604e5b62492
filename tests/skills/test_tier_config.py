"""Tier settings: the shipped defaults, a team's overrides, and a clear error for every mistake."""

from __future__ import annotations

import pytest
import yaml

from skills.errors import SkillError
from skills.tier_config import default_tier_config, default_tiers_yaml, load_tier_config
from skills.tiers import DIMENSIONS


def test_the_shipped_file_is_the_defaults_and_covers_all_nine_dimensions() -> None:
    config = default_tier_config()
    assert set(config.weights) == set(DIMENSIONS) and len(DIMENSIONS) == 9
    assert sum(config.weights.values()) == 100
    assert (config.ka, config.regular, config.overdue_cap) == (70, 40, "regular")
    assert yaml.safe_load(default_tiers_yaml())["weights"] == {k: int(v) for k, v in config.weights.items()}


def test_weights_given_replace_the_defaults_so_left_out_dimensions_are_unused() -> None:
    config = load_tier_config("weights:\n  order_amount: 60\n  gross_margin: 40\n")
    assert dict(config.weights) == {"order_amount": 60, "gross_margin": 40}
    assert config.bands["order_amount"] == default_tier_config().bands["order_amount"]


def test_thresholds_may_use_chinese_units() -> None:
    config = load_tier_config("bands:\n  order_amount: {0: 0, 5万: 50, 1亿: 100}\n")
    assert config.bands["order_amount"] == ((0, 0), (50_000, 50), (100_000_000, 100))


def test_an_empty_file_means_the_defaults() -> None:
    assert load_tier_config("") == default_tier_config()


@pytest.mark.parametrize(
    ("text", "en", "zh"),
    [
        ("weights: {order_amount: 50, margin: 50}", "Did you mean 'gross_margin'?", "未知维度 'margin'"),
        ("weights: {order_amount: 90}", "add up to 90; they must add up to 100", "权重之和为 90"),
        ("weights: {order_amount: 110, growth: -10}", "negative", "负数"),
        ("weights: {order_amount: 0}", "All weights are 0", "所有权重都为 0"),
        ("weights: {order_amount: lots}", "must be a number", "必须是数字"),
        ("weights: [1, 2", "not valid YAML at line", "不是有效的 YAML(第"),
        ("weight: {order_amount: 100}", "Unknown section 'weight'", "未知的部分"),
        ("bands: {gross_margin: {0: 50, 10: 20}}", "must go up as thresholds rise", "随门槛升高而上升"),
        ("bands: {payment: {0: 0, 30: 100}}", "must go down", "逾期越少越好"),
        ("bands: {gross_margin: {0: 0, 10: 120}}", "between 0 and 100", "0 到 100"),
        ("bands: {gross_margin: {lots: 10}}", "not a number", "不是数字"),
        ("bands: {gross_margin: {}}", "is empty", "为空"),
        ("bands: {brand: {famous: 100}}", "Unknown brand level 'famous'", "未知的品牌等级"),
        ("bands: {size: {0: 1}}", "Did you mean 'company_size'?", "未知维度"),
        ("tiers: {ka: 30, regular: 40}", "0 < regular < ka ≤ 100", "regular < ka"),
        ("tiers: {vip: 90}", "Unknown setting tiers.vip", "未知的设置 tiers.vip"),
        ("overdue: {caps_tier_at: gold}", "must be one of small_micro, regular, ka", "必须是"),
        ("overdue: {grace_days: -1}", "cannot be negative", "不能为负数"),
        ("overdue: {grace: 3}", "Unknown setting overdue.grace", "未知的设置 overdue.grace"),
        ("- just\n- a list", "must be a mapping", "映射"),
    ],
)
def test_mistakes_are_refused_with_what_to_fix(text: str, en: str, zh: str) -> None:
    with pytest.raises(SkillError) as caught:
        load_tier_config(text)
    assert en in caught.value.en
    assert zh in caught.value.zh


def test_weights_may_be_fractions_of_a_percent_within_tolerance() -> None:
    config = load_tier_config("weights: {order_amount: 33.333, gross_margin: 33.333, growth: 33.334}")
    assert sum(config.weights.values()) == pytest.approx(100)
