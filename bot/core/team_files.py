"""The team's own settings files (tier weights, renewal policy), read on each use so an edit applies
at once; several features read them, so they live below the features."""

from __future__ import annotations

from pathlib import Path

from bot.core.config import Settings
from skills.errors import SkillError
from skills.health import HealthConfig, load_health_config
from skills.tier_config import load_tier_config
from skills.tiers import TierConfig


def read_team_file(path: Path | None, variable: str, name_en: str, name_zh: str) -> str | None:
    """The text of a team file a setting names, read on each use so edits apply at once; None when
    the setting is unset. A file that cannot be read is bad input for the person asking, in words
    they can pass on to the admin."""
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        raise SkillError(
            f"The team's {name_en} file ({variable}) cannot be read; ask your opsbot admin.",
            f"团队的{name_zh}文件({variable})无法读取,请联系 opsbot 管理员。",
        ) from None


def tier_config(settings: Settings) -> TierConfig:
    """The team's tier settings file when one is configured, else the playbook's defaults."""
    text = read_team_file(settings.tier_config, "OPSBOT_TIER_CONFIG", "tier settings", "分层配置")
    return load_tier_config(text)


def health_config(settings: Settings, override: Path | None = None) -> HealthConfig:
    """`override` (a file given on the command line), else the team's health settings file when
    one is configured, else the defaults."""
    if override is not None:
        return load_health_config(read_team_file(override, "--weights", "health settings", "健康度配置"))
    text = read_team_file(settings.health_config, "OPSBOT_HEALTH_CONFIG", "health settings", "健康度配置")
    return load_health_config(text)
