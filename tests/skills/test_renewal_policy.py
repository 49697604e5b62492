"""The renewal policy file: defaults, a team's overrides, and every mistake refused with what to fix."""

from __future__ import annotations

import pytest

from skills.errors import SkillError
from skills.renewal_policy import default_renewal_policy, load_renewal_policy


def test_defaults() -> None:
    policy = default_renewal_policy()
    assert policy.ceilings == {"small_micro": 5.0, "regular": 10.0, "ka": 15.0}
    assert policy.reminder_days == (90, 60, 30)
    assert next(rung.offer for rung in policy.ladder) == "value_first"


def test_a_team_overrides_one_section_at_a_time() -> None:
    policy = load_renewal_policy("ceilings:\n  ka: 20\nreminder_days: [30, 120, 60]\n")
    assert policy.ceilings["ka"] == 20.0 and policy.ceilings["regular"] == 10.0
    assert policy.reminder_days == (120, 60, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ceilings:\n  ka: 150\n", "ceilings.ka must be a number from 0 to 50"),
        ("ceilings:\n  vip: 10\n", "Known: small_micro, regular, ka"),
        ("ladder:\n  - offer: multi_yaer\n    share: 0.5\n", "Did you mean 'multi_year'"),
        (
            "ladder:\n  - {offer: prepay, share: 0.8}\n  - {offer: multi_year, share: 0.5}\n",
            "smallest discount up",
        ),
        ("ladder:\n  - {offer: prepay, share: 1.5}\n", "share must be a number from 0 to 1"),
        ("reminder_days: [90, 0]\n", "reminder_days must be a list"),
        ("risks:\n  usage_decline: 20\n", "Did you mean 'usage_decline_pct'"),
        ("discount: 5\n", "Unknown entry 'discount'"),
        ("ceilings: [1, 2\n", "not valid YAML"),
    ],
)
def test_mistakes_are_refused_with_what_to_fix(text: str, expected: str) -> None:
    with pytest.raises(SkillError) as refused:
        load_renewal_policy(text)
    assert expected in refused.value.en
    assert refused.value.zh
