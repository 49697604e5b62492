"""Retro arguments, the figures a retro starts from, its prefilled text and what blocks saving."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from skills.errors import SkillError
from skills.retro import (
    MAX_STEP_CHARS,
    RetroArgs,
    RetroText,
    is_level_metric,
    missing_steps,
    parse_retro_args,
    previous_period,
    resolve_metric,
    retro_draft,
    retro_figures,
    retro_problems,
)

NOV_1, NOV_3 = date(2026, 11, 1), date(2026, 11, 3)


@pytest.mark.parametrize(
    "text",
    [
        "sales 2026-11-01..2026-11-15",
        "sales 2026-11-01 to 2026-11-15",
        "sales 2026-11-01 至 2026-11-15",
        "sales   2026-11-01至2026-11-15",
        "sales 2026/11/01 .. 2026/11/15",
    ],
)
def test_the_range_forms(text: str) -> None:
    assert parse_retro_args(text) == RetroArgs("sales", NOV_1, date(2026, 11, 15))


def test_a_metric_of_several_words_and_a_chinese_metric() -> None:
    assert parse_retro_args("active users 2026-11-01..2026-11-03").metric == "active users"
    assert parse_retro_args("销售额 2026-11-01 至 2026-11-03").metric == "销售额"
    assert parse_retro_args("   ") == RetroArgs()


@pytest.mark.parametrize("text", ["sales", "2026-11-01..2026-11-15", "sales 2026-11-01", "sales last week"])
def test_half_an_argument_gets_the_usage(text: str) -> None:
    with pytest.raises(SkillError) as refused:
        parse_retro_args(text)
    assert "/ops retro METRIC FROM..TO" in refused.value.en and "/ops 复盘" in refused.value.zh


def test_bad_dates_and_backwards_periods_are_refused() -> None:
    with pytest.raises(SkillError, match="2026-13-01 is not a date"):
        parse_retro_args("sales 2026-13-01..2026-12-01")
    with pytest.raises(SkillError, match=r"ends .* before it starts"):
        parse_retro_args("sales 2026-11-15..2026-11-01")
    with pytest.raises(SkillError, match="at most 366 days"):
        parse_retro_args("sales 2024-01-01..2026-01-01")


def test_metric_names_resolve_to_their_keys() -> None:
    assert resolve_metric("销售额", []) == "sales"
    assert resolve_metric("Active users", []) == "active_users"
    assert resolve_metric("gmv", []) == "sales"
    assert resolve_metric("signups", ["Signups"]) == "Signups"
    assert resolve_metric("refund_rate", ["refund_rate"]) == "refund_rate"


def test_an_unknown_metric_names_the_closest_ones_in_both_languages() -> None:
    with pytest.raises(SkillError) as refused:
        resolve_metric("salse", ["signups"])
    assert "There is no metric called “salse”. Did you mean: sales?" in refused.value.en
    assert "你是不是想找:sales" in refused.value.zh and "signups" in refused.value.en


def test_levels_are_averaged_and_flows_summed() -> None:
    assert [is_level_metric(m) for m in ("sales", "new_customers", "campaign_participants")] == [False] * 3
    levels = (
        "customers",
        "retention",
        "active_users",
        "refund_rate",
        "conversion_pct",
        "ltv_ratio",
        "留存率",
    )
    assert all(is_level_metric(m) for m in levels)


def test_the_previous_period_has_the_same_length_and_ends_the_day_before() -> None:
    assert previous_period(NOV_1, date(2026, 11, 15)) == (date(2026, 10, 17), date(2026, 10, 31))
    assert previous_period(NOV_1, NOV_1) == (date(2026, 10, 31), date(2026, 10, 31))


def _series(start: date, values: list[float]) -> dict[date, float]:
    return {start + timedelta(days=offset): value for offset, value in enumerate(values)}


def test_a_flow_metric_is_totalled_and_compared_with_the_period_before() -> None:
    series = _series(date(2026, 10, 29), [100, 100, 100, 120, 150, 90])
    series[date(2026, 10, 20)] = 999  # outside both periods
    figures = retro_figures("sales", NOV_1, NOV_3, series)
    assert (figures.actual, figures.previous, figures.days_with_values) == (360, 300, 3)
    assert figures.change_pct == pytest.approx(20.0)
    assert (figures.highest.day, figures.highest.value) == (date(2026, 11, 2), 150)  # type: ignore[union-attr]
    assert (figures.lowest.day, figures.lowest.value) == (NOV_3, 90)  # type: ignore[union-attr]


def test_a_level_metric_is_averaged_and_gaps_are_counted() -> None:
    series = {date(2026, 10, 30): 40.0, NOV_1: 30.0, NOV_3: 36.0}
    figures = retro_figures("retention", NOV_1, NOV_3, series)
    assert figures.level and figures.actual == 33.0 and figures.previous == 40.0
    assert figures.change_pct == pytest.approx(-17.5) and figures.days_with_values == 2


def test_the_english_draft_frames_the_goal_and_states_the_result() -> None:
    series = _series(date(2026, 10, 29), [100, 100, 100, 1200, 1500, 900])
    draft = retro_draft(retro_figures("sales", NOV_1, NOV_3, series), "en")
    assert draft.title == "Retro: Sales 2026-11-01–2026-11-03"
    assert draft.goal == "Goal: Sales over 2026-11-01–2026-11-03 — write the target number here"
    assert draft.result == (
        "Actual: Sales total 3,600 over 2026-11-01–2026-11-03 (3 days).\n"
        "The 3 days before (2026-10-29–2026-10-31): 300, change +1100.0%.\n"
        "Highest day: 2026-11-02 (1,500); lowest day: 2026-11-03 (900)."
    )


def test_the_chinese_draft_reads_amounts_in_wan() -> None:
    series = _series(date(2026, 10, 29), [10_000, 10_000, 10_000, 20_000, 25_000, 15_000])
    draft = retro_draft(retro_figures("sales", NOV_1, NOV_3, series), "zh")
    assert draft.title == "复盘:销售额 2026-11-01–2026-11-03"
    assert draft.goal == "目标:2026-11-01 至 2026-11-03 的销售额 — 在这里写目标数字"
    assert draft.result is not None
    assert draft.result.splitlines() == [
        "实际:2026-11-01 至 2026-11-03 销售额合计 6万(3 天)。",
        "之前 3 天(2026-10-29 至 2026-10-31):3万,变化 +100.0%。",
        "最高的一天:2026-11-02(2.5万);最低的一天:2026-11-03(1.5万)。",
    ]


def test_a_period_without_values_asks_for_the_result() -> None:
    draft = retro_draft(retro_figures("sales", NOV_1, NOV_3, {}), "en")
    assert (
        draft.result == "No Sales values recorded for 2026-11-01–2026-11-03 — write the actual result here."
    )
    partial = retro_draft(retro_figures("signups", NOV_1, NOV_3, {NOV_1: 5.0}), "en")
    assert partial.result is not None
    assert "signups total 5 over 2026-11-01–2026-11-03 (values for 1 of 3 days)" in partial.result
    assert "No values for the 3 days before (2026-10-29–2026-10-31) to compare with." in partial.result


def test_problems_name_each_step_and_the_title() -> None:
    complete = RetroText("Double 11", "reach 1M", "0.9M", "traffic", "start earlier")
    assert retro_problems(complete) == {} and missing_steps(complete) == []
    empty = RetroText("x" * 151, "goal", " \n ", "", "y" * (MAX_STEP_CHARS + 1))
    problems = retro_problems(empty)
    assert sorted(problems) == ["causes", "lessons", "result", "title"]
    assert "Write “Evaluate the result”" in problems["result"].en and "分析原因" in problems["causes"].zh
    assert "within 2,900 characters (2,901 now)" in problems["lessons"].en
    assert "within 150 characters" in problems["title"].en
    assert missing_steps(empty) == ["result", "causes"]
