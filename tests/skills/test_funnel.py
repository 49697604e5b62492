import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skills.errors import SkillError
from skills.funnel import compute_funnel, split_what_if


def _values(expression: str, what_if: str | None = None) -> list[float]:
    return [stage.value for stage in compute_funnel(expression, what_if).stages]


def test_going_up_divides_by_each_rate() -> None:
    assert _values("500w sales / 5% customers / 80% downloads") == [5_000_000, 100_000_000, 125_000_000]


def test_going_down_multiplies() -> None:
    assert _values("1250w downloads * 80% customers * 5% sales") == [12_500_000, 10_000_000, 500_000]


def test_stage_names_in_chinese_and_full_width_punctuation() -> None:
    result = compute_funnel("500万 销售 / 5％ 客户 / 80% 下载")
    assert [s.name for s in result.stages] == ["销售", "客户", "下载"]
    assert result.stages[2].value == 125_000_000


def test_splits_divide_a_stage() -> None:
    result = compute_funnel("1000w customers (80% new, 20% returning) / 80% downloads（80% 广告，20% 自然）")
    customers, downloads = result.stages
    assert [(p.name, p.value) for p in customers.parts] == [("new", 8_000_000), ("returning", 2_000_000)]
    assert downloads.value == 12_500_000
    assert [(p.name, p.value) for p in downloads.parts] == [("广告", 10_000_000), ("自然", 2_500_000)]


def test_check_reports_each_mismatch_against_the_stage_before_as_stated() -> None:
    result = compute_funnel("check 500w sales / 5% 1000w customers / 80% 12500w downloads")
    [customers, downloads] = result.checks
    assert (customers.stated, customers.expected, customers.ok) == (10_000_000, 100_000_000, False)
    assert (downloads.stated, downloads.expected, downloads.ok) == (125_000_000, 12_500_000, False)
    assert downloads.basis == "customers"


def test_consistent_plan_passes_its_checks() -> None:
    result = compute_funnel("检查 50w 销售 / 5% 1000w 客户 / 80% 1250w 下载")
    assert all(check.ok for check in result.checks)


def test_what_if_recomputes_with_the_changed_rate() -> None:
    result = compute_funnel("500w sales / 5% customers / 80% downloads", "5%->6%")
    assert result.what_if is not None
    assert result.what_if.stages[1].value == pytest.approx(5_000_000 / 0.06)
    assert result.what_if.deltas[0] == 0
    assert result.what_if.deltas[2] == pytest.approx(5_000_000 / 0.06 / 0.8 - 125_000_000)
    payload = result.as_json()
    assert payload["what_if"]["change"] == "5%->6%"  # type: ignore[index]


def test_json_shape() -> None:
    payload = compute_funnel("1000w customers (80% new, 20% returning) / 80% downloads").as_json()
    assert payload["stages"][0] == {  # type: ignore[index]
        "name": "customers",
        "value": 10_000_000,
        "parts": [{"name": "new", "value": 8_000_000}, {"name": "returning", "value": 2_000_000}],
    }
    assert payload["stages"][1]["rate"] == 0.8  # type: ignore[index]
    assert payload["checks"] == [] and payload["what_if"] is None


def test_split_what_if_from_slack_text() -> None:
    assert split_what_if("500w sales / 5% customers what-if 5%->6%") == (
        "500w sales / 5% customers",
        "5%->6%",
    )
    assert split_what_if("500万 销售 / 5% 客户 假如 5%→6%") == ("500万 销售 / 5% 客户", "5%→6%")
    assert split_what_if("500w sales") == ("500w sales", None)


@pytest.mark.parametrize(
    ("expression", "what_if", "fragment"),
    [
        ("", None, "empty"),
        ("sales", None, "start with an amount"),
        ("500w sales / 0% customers", None, "above 0%"),
        ("500w sales / 120% customers", None, "at most 100%"),
        ("-500w sales", None, "negative"),
        ("500q sales / 5% c", None, "Unknown unit"),
        ("99999999999亿 sales", None, "larger than any real funnel"),
        ("1000w c (80% new, 30% old) / 80% d", None, "add up to 100%"),
        ("500w sales / customers", None, "needs a conversion rate"),
        ("500w sales / 5% customers", "7%->8%", "No stage has the rate 7%"),
        ("500w sales / 5% customers", "five to six", "OLD%->NEW%"),
    ],
)
def test_bad_input_says_what_is_wrong(expression: str, what_if: str | None, fragment: str) -> None:
    with pytest.raises(SkillError) as error:
        compute_funnel(expression, what_if)
    assert fragment in error.value.en
    assert error.value.zh


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789.,%/*() wk万亿销售-ab,，（）", max_size=40))
def test_any_input_either_computes_or_is_refused_clearly(expression: str) -> None:
    try:
        result = compute_funnel(expression)
    except SkillError as error:
        assert error.en and error.zh
    else:
        assert all(stage.value > 0 for stage in result.stages)


def test_a_price_step_turns_revenue_into_buyers_and_back() -> None:
    up = compute_funnel("500万 销售额 / 客单价 500 买家 / 3% 访客")
    assert [(s.name, s.value) for s in up.stages] == [
        ("销售额", 5_000_000),
        ("买家", 10_000),
        ("访客", 10_000 / 0.03),
    ]
    assert (up.stages[1].price, up.stages[1].rate) == (500, None)
    assert up.as_json()["stages"][1]["price"] == 500  # type: ignore[index]
    down = compute_funnel("2万 visitors * 5% buyers * AOV 300 revenue")
    assert [s.value for s in down.stages] == [20_000, 1_000, 300_000]


def test_a_stated_figure_after_a_price_step_is_checked() -> None:
    [check] = compute_funnel("check 500万 revenue / aov 500 2万 buyers").checks
    assert (check.expected, check.ok) == (10_000, False)


def test_what_if_changes_a_rate_behind_a_price_step() -> None:
    result = compute_funnel("500万 revenue / price 500 buyers / 5% visitors", "5%->4%")
    assert result.what_if is not None
    assert result.what_if.stages[-1].value == pytest.approx(250_000)


@pytest.mark.parametrize(
    ("expression", "en", "zh"),
    [
        ("500万 revenue / 3% buyers", "divide by the average order value", "请先除以客单价"),
        ("500万 销售额 / 3% 买家", "is an amount of money", "是金额"),
        ("500万 GMV / 客单价 buyers", "needs the price", "需要写出价格"),
        ("500万 GMV / 客单价 0 buyers", "above zero", "0"),
    ],
)
def test_money_through_a_rate_is_told_the_missing_price_step(expression: str, en: str, zh: str) -> None:
    with pytest.raises(SkillError) as refused:
        compute_funnel(expression)
    assert en in refused.value.en and zh in refused.value.zh


def test_counts_and_money_to_money_rates_need_no_price() -> None:
    assert compute_funnel("500w sales / 5% customers").stages[1].value == 100_000_000
    assert compute_funnel("500万 GMV * 60% 营收").stages[1].value == 3_000_000


def test_a_slash_inside_a_name_is_part_of_it_and_quotes_hold_anything() -> None:
    result = compute_funnel("1000w 注册/激活 / 50% 访客/UV")
    assert [(s.name, s.value) for s in result.stages] == [("注册/激活", 1e7), ("访客/UV", 2e7)]
    tight = compute_funnel("500w sales/5% customers*20% buyers")
    assert [(s.name, s.value) for s in tight.stages] == [("sales", 5e6), ("customers", 1e8), ("buyers", 2e7)]
    quoted = compute_funnel('1000 "A / B" / 10% "C*D"')
    assert [(s.name, s.value) for s in quoted.stages] == [("A / B", 1000), ("C*D", 10000)]


def test_checks_run_with_or_without_the_check_word() -> None:
    plan = "500w sales / 5% 1000w customers"
    assert compute_funnel(plan).checks == compute_funnel(f"check {plan}").checks
    [check] = compute_funnel(plan).checks
    assert (check.stage, check.stated, check.expected, check.ok) == ("customers", 1e7, 1e8, False)
