from __future__ import annotations

from datetime import date

import pytest

from skills.errors import SkillError
from skills.metrics_csv import MetricValue, format_metric_value, metric_key, parse_metrics


def test_chinese_headers_gbk_units_and_clients() -> None:
    data = "日期,指标,数值,客户\n2026/11/20,销售额,12万,\n2026-11-20,活跃,350,华星\n\n".encode("gbk")
    assert parse_metrics(data) == [
        MetricValue(date(2026, 11, 20), "sales", 120000.0, ""),
        MetricValue(date(2026, 11, 20), "active_users", 350.0, "华星"),
    ]


def test_the_briefs_metrics_have_one_key_in_both_languages() -> None:
    assert {metric_key(n) for n in ("销售额", "Sales", "GMV", "revenue")} == {"sales"}
    assert metric_key("New customers") == metric_key("拉新") == "new_customers"
    assert metric_key("  NPS  ") == "NPS", "a team's own metric keeps its name"


def test_a_bad_file_is_refused_whole_with_line_numbers() -> None:
    data = (
        b"date,metric,value\n2026-11-20,sales,abc\n2026-13-01,sales,1\n"
        b"2026-11-21,sales,5\n2026-11-21,Sales,6\n2026-11-22,,7\n2026-11-23\n"
    )
    with pytest.raises(SkillError) as refused:
        parse_metrics(data)
    message = refused.value.en
    assert message.startswith("Nothing was imported")
    for part in ("not numbers on line 2", "cannot be read", "line 3", "again on line 5", "line 6", "line 7"):
        assert part in message
    assert "第 2 行数值不是数字" in refused.value.zh


def test_missing_columns_and_empty_files_say_what_is_needed() -> None:
    with pytest.raises(SkillError, match="Could not find the metric, value"):
        parse_metrics(b"date,amount_x\n2026-11-20,5\n")
    with pytest.raises(SkillError, match="empty"):
        parse_metrics(b"")
    with pytest.raises(SkillError, match="no rows"):
        parse_metrics(b"date,metric,value\n")


@pytest.mark.parametrize(
    ("metric", "value", "shown"),
    [
        ("retention", 0.43, "43.0%"),
        ("留存率", 0.43, "43.0%"),
        ("conversion_rate", 0.052, "5.2%"),
        ("refund_pct", 0.035, "3.5%"),
        ("sales", 0.43, "0.43"),
        ("sales", 12345.6, "12,346"),
        ("sales", None, "—"),
    ],
)
def test_rates_print_as_rates_and_counts_as_counts(metric: str, value: float | None, shown: str) -> None:
    assert format_metric_value(metric, value) == shown


def test_retention_rate_is_the_briefs_retention() -> None:
    assert metric_key("retention_rate") == metric_key("Retention Rate") == metric_key("留存率") == "retention"


def test_each_rate_metric_is_read_one_way_and_kept_as_fractions() -> None:
    data = (
        "date,metric,value\n"
        "2026-11-21,留存率,43%\n2026-11-22,留存率,41.5%\n"
        "2026-11-21,conversion_rate,0.052\n2026-11-22,conversion_rate,0.048\n"
        "2026-11-21,signup_rate,5\n2026-11-22,signup_rate,4.5\n"
        "2026-11-21,sales,0.5\n"
    ).encode()
    stored = {(v.metric, v.day.day): v.value for v in parse_metrics(data)}
    assert stored == {
        ("retention", 21): 0.43,
        ("retention", 22): 0.415,
        ("conversion_rate", 21): 0.052,
        ("conversion_rate", 22): 0.048,
        ("signup_rate", 21): 0.05,
        ("signup_rate", 22): 0.045,
        ("sales", 21): 0.5,
    }
