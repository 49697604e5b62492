"""Workspaces installed through OAuth: Bolt's SQLAlchemy installation and OAuth-state stores.

Their tables live in the root database (DATABASE_URL, or opsbot.db in OPSBOT_HOME) next to the
event ledger; each workspace's own records live in a database of its own (Settings.for_workspace).
The tables are part of opsbot's schema (migration 0002), so `opsbot migrate` and the start-up
check cover them like the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import desc, select
from sqlalchemy.engine import Engine

from bot.core.config import TEAM_ID
from bot.storage.engine import Base

BOTS_TABLE = "slack_bots"
INSTALLATIONS_TABLE = "slack_installations"
STATES_TABLE = "slack_oauth_states"
STATE_EXPIRY_SECONDS = 600
"""An install link is good for ten minutes, like Slack's own default."""

BOT_SCOPES = (
    "app_mentions:read",
    "channels:read",
    "chat:write",
    "commands",
    "files:read",
    "files:write",
    "groups:read",
    "im:history",
    "im:read",
    "im:write",
    "users:read",
)
"""What opsbot asks for at install: the same bot scopes as manifest.yml."""

_bots = SQLAlchemyInstallationStore.build_bots_table(Base.metadata, BOTS_TABLE)
SQLAlchemyInstallationStore.build_installations_table(Base.metadata, INSTALLATIONS_TABLE)
SQLAlchemyOAuthStateStore.build_oauth_states_table(Base.metadata, STATES_TABLE)


@dataclass(frozen=True)
class InstalledWorkspace:
    team_id: str
    """The workspace's key for its data: the team id, or the enterprise id of an org-wide install."""
    bot_token: str
    name: str


def installation_store(client_id: str, engine: Engine) -> SQLAlchemyInstallationStore:
    return SQLAlchemyInstallationStore(
        client_id, engine, bots_table_name=BOTS_TABLE, installations_table_name=INSTALLATIONS_TABLE
    )


def state_store(engine: Engine) -> SQLAlchemyOAuthStateStore:
    return SQLAlchemyOAuthStateStore(STATE_EXPIRY_SECONDS, engine, table_name=STATES_TABLE)


def installed_workspaces(engine: Engine, client_id: str) -> list[InstalledWorkspace]:
    """Every workspace with a bot token now (the latest install of each), for the scheduled jobs
    and `opsbot migrate`; an uninstalled workspace has no row left."""
    query = (
        select(_bots.c.team_id, _bots.c.enterprise_id, _bots.c.team_name, _bots.c.bot_token)
        .where(_bots.c.client_id == client_id, _bots.c.bot_token.is_not(None))
        .order_by(desc(_bots.c.installed_at), desc(_bots.c.id))
    )
    found: dict[str, InstalledWorkspace] = {}
    with engine.connect() as connection:
        for team_id, enterprise_id, name, token in connection.execute(query):
            key = team_id or enterprise_id or ""
            if TEAM_ID.fullmatch(key) and key not in found:
                found[key] = InstalledWorkspace(key, token, name or key)
    return sorted(found.values(), key=lambda workspace: workspace.team_id)
