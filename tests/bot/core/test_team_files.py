"""The team's settings files: read on each use, and a file that cannot be read named to the person."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.team_files import read_team_file, tier_config
from skills.errors import SkillError
from tests.conftest import make_settings


def test_the_team_settings_file_is_used_and_its_errors_reported(tmp_path: Path) -> None:
    settings_file = tmp_path / "tiers.yaml"
    settings_file.write_text("weights: {order_amount: 100}\n", encoding="utf-8")
    settings = make_settings(tmp_path, OPSBOT_TIER_CONFIG=str(settings_file))
    assert dict(tier_config(settings).weights) == {"order_amount": 100}
    missing = make_settings(tmp_path, OPSBOT_TIER_CONFIG=str(tmp_path / "nope.yaml"))
    with pytest.raises(SkillError, match="OPSBOT_TIER_CONFIG"):
        tier_config(missing)


def test_an_unset_file_reads_as_none_and_a_garbled_one_is_refused_in_both_languages(tmp_path: Path) -> None:
    assert read_team_file(None, "OPSBOT_RENEWAL_POLICY", "renewal policy", "续约策略") is None
    garbled = tmp_path / "policy.yaml"
    garbled.write_bytes(b"\xff\xfe\xfa not utf-8")
    with pytest.raises(SkillError) as refused:
        read_team_file(garbled, "OPSBOT_RENEWAL_POLICY", "renewal policy", "续约策略")
    assert "OPSBOT_RENEWAL_POLICY" in refused.value.en and "续约策略" in refused.value.zh
