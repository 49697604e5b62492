"""Who may change what opsbot knows and where it routes things: admins, and the users named in
OPSBOT_ADMINS."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.config import Settings
from bot.slack.text import mention
from knowledge.text import Lang


def is_opsbot_admin(client: WebClient, settings: Settings, user: str) -> bool:
    """Workspace admins and owners, and the users named in OPSBOT_ADMINS."""
    if user in settings.admin_ids:
        return True
    try:
        profile = client.users_info(user=user)["user"]
    except SlackApiError:
        return False
    return bool(profile.get("is_admin") or profile.get("is_owner") or profile.get("is_primary_owner"))


def who_can(settings: Settings, lang: Lang) -> str:
    named = ", ".join(mention(user) for user in sorted(settings.admin_ids))
    if lang == "zh":
        return "工作区管理员" + (f"以及 {named}" if named else "")
    return "workspace admins" + (f" and {named}" if named else "")
