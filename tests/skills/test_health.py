"""Client health: each signal's points and evidence, the bands, and settings that are refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from skills.client_roster import ClientRecord
from skills.errors import SkillError
from skills.health import ClientSignals, client_health, decline_pct, default_health_yaml, load_health_config

TODAY = date(2026, 12, 1)
CONFIG = load_health_config(None)


def _usage(recent: float, earlier: float) -> dict[date, float]:
    return {TODAY - timedelta(days=back): recent if back <= 30 else earlier for back in range(1, 91)}


def test_a_healthy_client_keeps_100_and_green() -> None:
    record = ClientRecord("C1", "Acme", contract_end=TODAY + timedelta(days=200))
    health = client_health(ClientSignals(record, {"active_users": _usage(100, 100)}), TODAY, CONFIG)
    assert (health.score, health.status, health.reasons) == (100, "green", ())


def test_every_signal_takes_its_share_with_evidence() -> None:
    record = ClientRecord(
        "C2",
        "Beta",
        contract_end=TODAY + timedelta(days=40),
        values={"payment": 30},
        key_contact_changed=True,
    )
    usage = {"active_users": _usage(60, 100), "nps": {TODAY - timedelta(days=3): -20.0}}
    health = client_health(ClientSignals(record, usage, complaints=2), TODAY, CONFIG)
    points = {reason.code: round(reason.points, 1) for reason in health.reasons}
    assert points == {
        "usage_decline": 28.0,  # a 40% fall of the 50% that takes all 35 points
        "complaints": 13.3,  # 2 of 3
        "overdue_payment": 10.0,  # 30 of 60 days
        "key_contact_changed": 10.0,
        "renewal_soon": 5.0,
        "low_satisfaction": 10.0,
    }
    assert health.score == 24 and health.status == "red"
    assert health.reasons[0].code == "usage_decline", "biggest first"
    evidence = {r["code"]: r["evidence"] for r in health.as_json("en")["reasons"]}  # type: ignore[union-attr]
    assert evidence["usage_decline"] == "Active users down 40%: the last 30 days against the 60 before"
    assert evidence["renewal_soon"] == "the contract ends on 2027-01-10 (40 days)"
    assert "活跃下降 40%" in str(health.as_json("zh")["reasons"])


def test_a_small_dip_or_too_little_history_is_not_a_decline() -> None:
    assert decline_pct(_usage(90, 100), TODAY) == pytest.approx(10.0)
    record = ClientRecord("C3", "Gamma")
    assert client_health(ClientSignals(record, {"active_users": _usage(90, 100)}), TODAY, CONFIG).score == 100
    assert decline_pct({TODAY - timedelta(days=1): 1.0}, TODAY) is None


def test_the_bands_and_weights_come_from_the_settings() -> None:
    config = load_health_config("weights: {key_contact_changed: 30}\nbands: {green: 90, yellow: 70}\n")
    record = ClientRecord("C4", "Delta", key_contact_changed=True, contract_end=TODAY)
    health = client_health(ClientSignals(record, {}), TODAY, config)
    assert (health.score, health.status) == (70, "yellow"), "weights given replace the defaults"
    assert "usage_decline:" in default_health_yaml()


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("weights: {usage_drop: 10}", "Unknown entry 'usage_drop' under weights"),
        ("weights: {complaints: -1}", "negative"),
        ("weights: {usage_decline: 90, complaints: 20}", "at most 100 points"),
        ("thresholds: {complaints_full: 0}", "must be above 0"),
        ("bands: {green: 40, yellow: 60}", "yellow ≤ green"),
        ("bands: {green: high}", "must be a number"),
        ("colors: {}", "Unknown section 'colors'"),
        ("weights: [1, 2", "not valid YAML at line"),
    ],
)
def test_bad_settings_say_what_to_fix(text: str, said: str) -> None:
    with pytest.raises(SkillError) as refused:
        load_health_config(text)
    assert said in refused.value.en and refused.value.zh
