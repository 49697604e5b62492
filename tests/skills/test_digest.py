from __future__ import annotations

from datetime import date, timedelta

from skills.digest import Complaint, FeedbackSummary, build_digest

DAY = date(2026, 11, 23)
WEEKLY = (130, 110, 100, 100, 105, 55, 45)


def _series(drop: float = 1.0) -> dict[date, float]:
    values = {
        DAY - timedelta(days=back): float(WEEKLY[(DAY - timedelta(days=back)).weekday()] * 100 + back % 4)
        for back in range(1, 71)
    }
    values[DAY - timedelta(days=1)] *= drop
    return values


def test_anomalies_come_first_with_why_they_matter_and_a_trend() -> None:
    digest = build_digest(
        "U1",
        DAY,
        [(1, "call Acme", DAY - timedelta(days=2), None), (2, "check data", DAY, DAY)],
        {"active_users": _series(), "sales": _series(drop=0.4)},
        FeedbackSummary(3, {"complaint": 1, "bug": 2}, (Complaint("nobody answered", 3, 2),)),
    )
    first, second = digest.metrics
    assert (first.metric, first.anomaly, first.direction) == ("sales", True, "down")
    assert first.why("zh") is not None and "漏斗" in first.why("zh")  # type: ignore[operator]
    assert second.why("en") is None and len(second.trend) == 14
    assert [(t.id, t.done, t.carried_over) for t in digest.todos] == [(1, False, True), (2, True, False)]
    data = digest.as_json()
    assert data["date"] == "2026-11-23" and data["feedback"] == {
        "new": 3,
        "by_category": {"complaint": 1, "bug": 2},
        "complaints": [{"text": "nobody answered", "times": 3, "customers": 2}],
    }
    assert set(data["metrics"][0]) == {"metric", "value", "baseline", "change_pct", "anomaly", "direction"}  # type: ignore[index]


def test_the_morning_after_a_holiday_raises_no_alarm_and_says_why() -> None:
    holiday = DAY - timedelta(days=1)
    series = {"sales": _series(drop=0.2)}
    alarmed = build_digest("U1", DAY, [], series, FeedbackSummary())
    assert alarmed.anomalies and not alarmed.reviewed_holiday
    quiet = build_digest("U1", DAY, [], series, FeedbackSummary(), holidays={holiday})
    assert not quiet.anomalies and quiet.reviewed_holiday and quiet.as_json()["reviewed_holiday"] is True
