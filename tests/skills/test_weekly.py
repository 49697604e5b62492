from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from skills.errors import SkillError
from skills.weekly import (
    DoneTodo,
    FeedbackEntry,
    WeeklySummary,
    aggregation,
    build_weekly,
    change_pct,
    parse_week_of,
    summary_week,
    upcoming_renewals,
    week_feedback,
)
from skills.weekly_draft import draft_facts, draft_text

MONDAY = date(2026, 11, 16)
TODAY = date(2026, 11, 23)
WEEKLY = (130, 110, 100, 100, 105, 55, 45)


@dataclass(frozen=True)
class Contract:
    id: str
    name: str
    arr: float | None
    contract_end: date | None
    owner: str


def _week(start: date, values: list[float | None]) -> dict[date, float]:
    return {start + timedelta(days=n): float(v) for n, v in enumerate(values) if v is not None}


def _crafted_series() -> dict[str, dict[date, float]]:
    last, month_ago = MONDAY - timedelta(days=7), MONDAY - timedelta(days=28)
    return {
        "sales": {
            **_week(MONDAY, [100, 101, 102, 103, 104, 105, 106]),
            **_week(last, [100] * 7),
            **_week(month_ago, [50] * 7),
        },
        "retention": {**_week(MONDAY, [0.4, None, 0.5, None, 0.6, None, None]), **_week(last, [0.4] * 7)},
        "customers": _week(last, [1000] * 7),
        "new_customers": {**_week(MONDAY, [1] * 7), **_week(last, [0] * 7)},
        "campaign_participants": _week(MONDAY - timedelta(days=70), [5] * 7),
        "signups": {**_week(MONDAY, [3] * 7), **_week(last, [4, 4, 4, None, None, None, None])},
        "转化率": _week(MONDAY, [0.1, 0.2, 0.3, None, None, None, None]),
    }


def test_weeks_are_iso_weeks_and_the_default_is_the_last_complete_one() -> None:
    assert summary_week(TODAY) == MONDAY
    assert summary_week(date(2026, 11, 22)) == date(2026, 11, 9), "a Sunday: that week is not over"
    assert summary_week(TODAY, week_of=date(2026, 11, 19)) == MONDAY
    assert summary_week(TODAY, week_of=TODAY) == TODAY, "the current week, so far"
    with pytest.raises(SkillError, match="has not started"):
        summary_week(TODAY, week_of=date(2026, 12, 1))
    assert parse_week_of("2026/11/19") == date(2026, 11, 19)
    assert parse_week_of("2026-W47") == MONDAY
    with pytest.raises(SkillError) as refused:
        parse_week_of("last week")
    assert "2026-11-18" in refused.value.en and "不是日期" in refused.value.zh


def test_flow_metrics_are_summed_and_level_metrics_averaged() -> None:
    assert [aggregation(m) for m in ("sales", "new_customers", "campaign_participants", "signups")] == [
        "sum"
    ] * 4
    assert [
        aggregation(m)
        for m in ("customers", "retention", "active_users", "conversion_rate", "churn_pct", "ltv_ratio")
    ] == ["mean"] * 6
    assert [aggregation(m) for m in ("day7_retention", "weekly_active", "转化率", "次日留存")] == ["mean"] * 4
    assert change_pct(721, 700) == 3.0 and change_pct(90, -100) == 190.0
    assert change_pct(5, 0) is None and change_pct(5, None) is None and change_pct(None, 5) is None


def test_each_metric_against_last_week_and_four_weeks_earlier() -> None:
    summary = build_weekly(TODAY, None, _crafted_series(), [], [], [])
    rows = {m["metric"]: m for m in summary.as_json("")["metrics"]}
    assert list(rows) == ["sales", "customers", "new_customers", "retention", "signups", "转化率"], (
        "the six first in their usual order, then the others; campaign_participants has no recent data"
    )
    assert rows["sales"] == {
        "metric": "sales",
        "aggregation": "sum",
        "this_week": 721.0,
        "last_week": 700.0,
        "change_pct": 3.0,
        "same_week_last_month": 350.0,
        "vs_last_month_pct": 106.0,
    }
    assert (
        rows["retention"]["this_week"],
        rows["retention"]["last_week"],
        rows["retention"]["change_pct"],
    ) == (
        0.5,
        0.4,
        25.0,
    ), "averaged over the three days that have a value"
    assert (rows["customers"]["this_week"], rows["customers"]["change_pct"]) == (None, None)
    assert (rows["new_customers"]["this_week"], rows["new_customers"]["change_pct"]) == (7.0, None)
    assert (rows["signups"]["this_week"], rows["signups"]["last_week"], rows["signups"]["change_pct"]) == (
        21.0,
        12.0,
        75.0,
    ), "a sum is not scaled up for missing days"
    assert rows["转化率"]["this_week"] == 0.2


def test_the_weeks_anomalies_name_metric_day_and_direction() -> None:
    history = {
        TODAY - timedelta(days=back): float(WEEKLY[(TODAY - timedelta(days=back)).weekday()] * 100 + back % 4)
        for back in range(1, 80)
    }
    history[date(2026, 11, 18)] *= 0.4
    history[date(2026, 11, 21)] *= 2.0
    summary = build_weekly(TODAY, None, {"sales": history, "active_users": dict(history)}, [], [], [])
    found = [(a.metric, a.day.isoformat(), a.direction) for a in summary.anomalies]
    assert found == [
        ("sales", "2026-11-18", "down"),
        ("active_users", "2026-11-18", "down"),
        ("sales", "2026-11-21", "up"),
        ("active_users", "2026-11-21", "up"),
    ]
    first = summary.as_json("")["anomalies"][0]
    assert first["change_pct"] is not None and first["change_pct"] < -50


def test_feedback_counts_by_category_and_the_most_repeated_items() -> None:
    feedback = week_feedback(
        [
            FeedbackEntry(1, "Export  fails\nwith 500", "bug", "Acme", 1),
            FeedbackEntry(2, "export fails", "bug", "acme ", 1),
            FeedbackEntry(3, "export fails again", "bug", "Beta", 1),
            FeedbackEntry(4, "Nobody answered", "complaint", None, 4),
            FeedbackEntry(5, "still nobody", "complaint", "Gamma", 4),
            FeedbackEntry(6, "how do I export", "how_to", "Delta", None),
            FeedbackEntry(7, "dark mode", "feature_request", "Acme", 7),
            FeedbackEntry(8, "dark mode please", "feature_request", None, 7),
        ]
    )
    assert feedback.total == 8
    assert feedback.by_category == {"bug": 3, "complaint": 2, "feature_request": 2, "how_to": 1}
    assert [(t.text, t.items, t.customers) for t in feedback.top] == [
        ("Export fails with 500", 3, 2),
        ("Nobody answered", 2, 1),
        ("dark mode", 2, 1),
    ], "customers first (Acme twice is one), then items, then the earlier group"


def test_todos_done_in_the_week_by_owner_and_renewals_in_the_next_30_days() -> None:
    done = [
        DoneTodo("U2", "call Beta", date(2026, 11, 16)),
        DoneTodo("U1", "send the QBR deck", date(2026, 11, 17)),
        DoneTodo("U1", "fix the export", date(2026, 11, 22)),
        DoneTodo("U1", "next week's", date(2026, 11, 23)),
        DoneTodo("U3", "last week's", date(2026, 11, 15)),
    ]
    clients = [
        Contract("C1", "Acme", 120000.0, date(2026, 12, 3), "U1"),
        Contract("C2", "Beta", None, TODAY, "U2"),
        Contract("C3", "Gamma", 5000.0, TODAY + timedelta(days=30), ""),
        Contract("C4", "Delta", 1.0, TODAY + timedelta(days=31), "U1"),
        Contract("C5", "Ended", 1.0, TODAY - timedelta(days=1), "U1"),
        Contract("C6", "Open-ended", 1.0, None, "U1"),
    ]
    data = build_weekly(TODAY, None, {}, [], done, clients).as_json("")
    assert data["todos_done"] == [
        {"owner": "U1", "count": 2, "texts": ["send the QBR deck", "fix the export"]},
        {"owner": "U2", "count": 1, "texts": ["call Beta"]},
    ]
    assert [(r["client_id"], r["days"], r["owner"], r["arr"]) for r in data["renewals"]] == [
        ("C2", 0, "U2", None),
        ("C1", 10, "U1", 120000.0),
        ("C3", 30, "", 5000.0),
    ]
    assert upcoming_renewals(clients, TODAY, horizon_days=0)[0].client_id == "C2"


def _summary() -> WeeklySummary:
    done = [DoneTodo("U1", "a", date(2026, 11, 17)), DoneTodo("U2", "b", date(2026, 11, 18))]
    feedback = [
        FeedbackEntry(1, "Export fails", "bug", "Acme", 1),
        FeedbackEntry(2, "export fails", "bug", "Beta", 1),
        FeedbackEntry(3, "Nobody answered", "complaint", None, None),
    ]
    clients = [
        Contract("C1", "Acme", 120000.0, date(2026, 12, 3), "U1"),
        Contract("C2", "Beta", None, TODAY, ""),
    ]
    series = _crafted_series()
    return build_weekly(
        TODAY, None, {k: series[k] for k in ("sales", "customers", "retention")}, feedback, done, clients
    )


def test_the_english_draft_is_complete_without_a_model() -> None:
    assert draft_text(_summary(), "en") == (
        "Week 47 of 2026 (Mon Nov 16 – Sun Nov 22).\n"
        "Sales came to 721, +3.0% on last week (700), +106.0% on four weeks earlier; "
        "Customers: no figure this week; Retention averaged 50.0% a day, +25.0% on last week (40.0%).\n"
        "No day stood out as abnormal.\n"
        "3 feedback items (Production bug 2, Complaint 1). "
        "Most repeated: “Export fails” (2 times, 2 customers).\n"
        "2 to-dos done by 2 people.\n"
        "2 contracts end in the next 30 days: Beta today, Acme in 10 days (ARR 120,000).\n"
        "Next: answer this week's complaints, take the repeated feedback to product, "
        "agree a plan for each contract ending soon."
    )


def test_the_chinese_draft_and_the_facts_behind_it() -> None:
    summary = _summary()
    assert draft_text(summary, "zh") == (
        "2026 年第 47 周(11月16日–11月22日)。\n"
        "销售额合计 721,较上周(700)+3.0%,较四周前+106.0%;客户量本周无数据;留存日均 50.0%,较上周(40.0%)+25.0%。\n"
        "本周没有异常的日子。\n"
        "登记反馈 3 条:生产 bug 2 条、客诉 1 条。最常见:“Export fails”(2 次,2 个客户)。\n"
        "2 人共完成待办 2 条。\n"
        "未来 30 天有 2 份合同到期:Beta(今天)、Acme(10 天后,ARR 120,000)。\n"
        "下一步:回复本周客诉、把重复出现的反馈交给产品、为即将到期的合同逐个确定续约计划。"
    )
    facts = draft_facts(summary)
    assert facts["feedback_total"] == 3 and facts["todos_done"] == 2 and facts["renewal_count"] == 2
    assert facts["metrics"][0]["this_week"] == 721.0 and facts["renewals"][1]["arr"] == 120000.0


def test_an_empty_week_still_gets_a_useful_draft() -> None:
    summary = build_weekly(TODAY, None, {}, [], [], [])
    assert draft_text(summary, "en").splitlines()[1:] == [
        "No numbers for this week yet (opsbot metrics import FILE.csv).",
        "No day stood out as abnormal.",
        "No feedback was filed.",
        "No to-dos were marked done.",
        "No contracts end in the next 30 days.",
        "Next: keep the routine; nothing needs escalating.",
    ]
    data = summary.as_json("draft", "template")
    assert set(data) >= {"week", "metrics", "feedback", "todos_done", "renewals", "draft"}
    assert data["week"] == "2026-W47" and data["feedback"] == {"total": 0, "by_category": {}, "top": []}


def test_a_week_under_way_compares_the_same_weekdays_and_says_so() -> None:
    thursday = MONDAY + timedelta(days=3)  # Monday to Wednesday are over
    summary = build_weekly(thursday, MONDAY, _crafted_series(), [], [], [])
    assert (summary.days, summary.partial, summary.last_day) == (3, True, MONDAY + timedelta(days=2))
    sales = {m["metric"]: m for m in summary.as_json("")["metrics"]}["sales"]
    assert (sales["this_week"], sales["last_week"], sales["change_pct"]) == (303.0, 300.0, 1.0)
    assert (sales["same_week_last_month"], sales["vs_last_month_pct"]) == (150.0, 102.0)
    full = build_weekly(TODAY, MONDAY, _crafted_series(), [], [], [])
    assert full.days == 7 and not full.partial, "a week that is over is whole"
    assert draft_text(summary, "en").splitlines()[1] == (
        "So far: Mon Nov 16 – Wed Nov 18 (3 days), against the same days of last week and four weeks earlier."
    )
    assert "截至目前:11月16日–11月18日(共 3 天)" in draft_text(summary, "zh")
    assert draft_facts(summary)["days_covered"] == 3


def test_a_week_that_starts_today_has_nothing_to_compare_yet() -> None:
    with pytest.raises(SkillError) as refused:
        build_weekly(MONDAY, MONDAY, _crafted_series(), [], [], [])
    assert "starts today" in refused.value.en
