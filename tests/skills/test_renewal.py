"""Renewal briefs on crafted clients: each risk code with its evidence, the discount ladder's bounds,
the usage windows' exact numbers and the draft message."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from skills.client_roster import ClientRecord
from skills.renewal import RenewalBrief, build_brief, draft_message, usage_line
from skills.renewal_policy import RenewalPolicy, Rung, default_renewal_policy
from skills.tier_config import default_tier_config
from skills.tiers import score_client

TODAY = date(2026, 11, 27)
TIERS = default_tier_config()
STRONG = {
    "order_amount": 2_000_000,
    "company_size": 5000,
    "gross_margin": 60,
    "product_breadth": 6,
    "cooperation_years": 5,
    "influence": 4,
    "brand": "global500",
    "payment": 0,
    "growth": 30,
}


def _series(recent: float, earlier: float, every: int = 1) -> dict[date, float]:
    """90 days: `earlier` for days 31–90 back, `recent` for the last 30, on every `every`-th day."""
    return {
        TODAY - timedelta(days=back): (recent if back <= 30 else earlier)
        for back in range(1, 91)
        if back % every == 0
    }


def _brief(
    values: dict[str, object] | None = None,
    usage: dict[str, dict[date, float]] | None = None,
    policy: RenewalPolicy | None = None,
    **fields: object,
) -> RenewalBrief:
    record = ClientRecord(
        "C1",
        "Acme",
        arr=500_000,
        contract_end=TODAY + timedelta(days=60),
        owner="U0OWNER",
        values=values if values is not None else STRONG,
        **fields,  # type: ignore[arg-type]
    )
    steady = {"active_users": _series(100, 100)}
    return build_brief(
        record,
        score_client(record.as_client(), TIERS),
        steady if usage is None else usage,
        TODAY,
        policy or default_renewal_policy(),
        TIERS,
    )


def test_a_healthy_client_has_no_risk_and_only_the_first_rungs() -> None:
    brief = _brief()
    assert brief.risks == ()
    assert brief.days_to_renewal == 60
    assert brief.scored.tier == "ka"
    assert [(o.offer, o.discount_pct) for o in brief.discount_options] == [
        ("value_first", 0.0),
        ("early_signature", 4.5),
    ]
    assert {w.code for w in brief.wins} >= {"order_growth", "referrals", "loyalty", "pays_on_time"}


def test_key_contact_changed() -> None:
    [risk] = _brief(key_contact_changed=True).risks
    assert risk.code == "key_contact_changed" and "key contact" in risk.evidence["en"]


def test_competitor_pressure_carries_the_roster_text_and_none_means_none() -> None:
    [risk] = _brief(competitor_pressure="Rival offers 20% off").risks
    assert risk.code == "competitor_pressure" and "Rival offers 20% off" in risk.evidence["en"]
    assert _brief(competitor_pressure="无").risks == ()
    assert _brief(competitor_pressure="none").risks == ()


def test_usage_decline_with_the_two_windows_as_evidence() -> None:
    [risk] = _brief(usage={"active_users": _series(70, 100)}).risks
    assert risk.code == "usage_decline"
    assert "70 a day over the last 30 days vs 100 in the 60 days before (-30.0%)" in risk.evidence["en"]
    assert "近 30 天日均 70,此前 60 天日均 100(-30.0%)" in risk.evidence["zh"]
    assert _brief(usage={"active_users": _series(81, 100)}).risks == (), "-19% is within the policy's 20%"


def test_overdue_payment_beyond_the_grace_days() -> None:
    [risk] = _brief(values={**STRONG, "payment": 45}).risks
    assert risk.code == "overdue_payment" and "45 days overdue" in risk.evidence["en"]
    grace = TIERS.overdue_grace_days
    assert _brief(values={**STRONG, "payment": grace}).risks == ()


def test_low_engagement_counts_the_days_with_use() -> None:
    [risk] = _brief(usage={"logins": _series(10, 10, every=5)}).risks
    assert risk.code == "low_engagement"
    assert risk.evidence["en"] == "Used on 6 of the last 30 days."
    assert _brief(usage={}).risks == (), "no usage data at all is a gap in the data, not a verdict"


def test_usage_windows_and_trend_are_exact() -> None:
    line = usage_line("active_users", _series(60, 100), TODAY)
    assert (line.recent_avg, line.earlier_avg, line.change_pct) == (60, 100, -40.0)
    assert line.trend == "down" and line.trend_pct is not None and line.trend_pct < -5
    rising = {TODAY - timedelta(days=back): 100 + (90 - back) for back in range(1, 91)}
    up = usage_line("sales", rising, TODAY)
    assert up.trend == "up" and up.trend_pct == 20.8  # 30 a month on a 144.5 average
    assert len(up.daily) == 90 and up.sparkline


def test_the_sparkline_ends_yesterday_so_a_collapse_this_week_shows() -> None:
    steady = {TODAY - timedelta(days=back): 100.0 for back in range(7, 91)}
    collapsed = {**steady, **{TODAY - timedelta(days=back): 0.0 for back in range(1, 7)}}
    assert usage_line("logins", collapsed, TODAY).sparkline == "█" * 11 + "▁"
    late = {TODAY - timedelta(days=back): float(back == 1) for back in range(1, 91)}
    assert usage_line("logins", late, TODAY).sparkline == "▁" * 11 + "█", "yesterday is in the last bar"


def test_each_risk_opens_more_of_the_ladder_and_overdue_holds_it_back() -> None:
    one = _brief(key_contact_changed=True)
    assert [o.offer for o in one.discount_options] == [
        "value_first",
        "early_signature",
        "multi_year",
        "prepay",
    ]
    two = _brief(key_contact_changed=True, competitor_pressure="cheaper rival")
    assert [(o.offer, o.discount_pct) for o in two.discount_options][-1] == ("retention", 15.0)
    overdue = _brief(values={**STRONG, "payment": 60}, key_contact_changed=True)
    assert [o.available for o in overdue.discount_options] == [True, False, False, False, False]
    assert overdue.allowed_offers() == tuple(
        o.discount_pct for o in overdue.discount_options[:1] if o.discount_pct <= overdue.ceiling_pct
    ), "a draft may name only what the ladder makes available"
    assert set(two.allowed_offers()) == {o.discount_pct for o in two.discount_options if o.available}


def test_an_overdue_client_is_capped_to_the_regular_ceiling() -> None:
    brief = _brief(values={**STRONG, "payment": 60})
    assert brief.scored.tier == "regular" and brief.ceiling_pct == 10.0


@settings(max_examples=60, deadline=None)
@given(
    ceiling=st.floats(0, 50),
    shares=st.lists(st.floats(0, 1), min_size=1, max_size=6),
    contact=st.booleans(),
    pressure=st.booleans(),
    overdue=st.integers(0, 120),
    recent=st.floats(0, 200),
)
def test_no_option_ever_exceeds_the_tier_ceiling(
    ceiling: float, shares: list[float], contact: bool, pressure: bool, overdue: int, recent: float
) -> None:
    base = default_renewal_policy()
    ladder = tuple(Rung("multi_year", share, min_risks=n % 3) for n, share in enumerate(sorted(shares)))
    policy = RenewalPolicy(
        {"ka": ceiling, "regular": ceiling, "small_micro": ceiling},
        ladder,
        base.overdue_max_share,
        base.usage_decline_pct,
        base.low_engagement_active_share,
        base.reminder_days,
    )
    brief = _brief(
        values={**STRONG, "payment": overdue},
        usage={"active_users": _series(recent, 100)},
        policy=policy,
        key_contact_changed=contact,
        competitor_pressure="rival" if pressure else "",
    )
    assert all(0 <= option.discount_pct <= ceiling + 1e-9 for option in brief.discount_options)
    assert len(brief.discount_options) == sum(1 for rung in ladder if rung.min_risks <= len(brief.risks))


def test_the_draft_names_the_date_and_wins_but_no_discount() -> None:
    brief = _brief(usage={"active_users": _series(130, 100)}, key_contact_changed=True)
    english, chinese = draft_message(brief, "en"), draft_message(brief, "zh")
    assert "renews on 2027-01-26" in english and "up 30.0%" in english
    assert "2027-01-26 到期" in chinese and "增长 30.0%" in chinese
    for text in (english, chinese):
        assert "%" not in text.replace("30.0%", "").replace("30%", "")  # no discount figure in writing


def test_the_json_shape() -> None:
    data = _brief(key_contact_changed=True).as_json("en", "draft text")
    assert set(data) >= {
        "client",
        "days_to_renewal",
        "tier",
        "score",
        "usage",
        "risks",
        "discount_options",
        "draft",
    }
    assert data["risks"][0]["code"] == "key_contact_changed"
    assert data["usage"][0]["last_30_days_avg"] == 100.0


def test_referrals_are_counted_in_words_that_agree() -> None:
    one = _brief({**STRONG, "influence": 1})
    many = _brief(STRONG)
    assert "Referred 1 other client." in [win.evidence["en"] for win in one.wins]
    assert "Referred 4 other clients." in [win.evidence["en"] for win in many.wins]
