from __future__ import annotations

from datetime import date

import pytest

from skills.errors import SkillError
from skills.metrics_csv import MetricValue, metric_key, parse_metrics


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
