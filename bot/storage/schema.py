"""The database schema, kept by Alembic migrations (bot/storage/migrations), checked whenever an engine is made.

- A new, empty database gets every table at once and is stamped with the latest revision.
- A database from before migrations existed (tables, no revision) is taken as the first revision:
  missing tables are added and it is stamped.
- A database at an older revision is upgraded when it is SQLite (the embedded default: one process
  owns it, and a newcomer never has to run anything). Any other database (PostgreSQL, shared by several
  processes) is never changed behind the operator's back: opsbot refuses to start and asks for
  `opsbot migrate`, which upgrades it once, for all processes.
- Two processes preparing the same PostgreSQL database at once are serialized by an advisory lock.
"""

from __future__ import annotations

import re
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

# Every module that defines tables, so that Base.metadata knows them all.
from bot.storage import (
    answer_log,  # noqa: F401
    delivery_log,  # noqa: F401
    installations,  # noqa: F401
    team_settings,  # noqa: F401
    threads,  # noqa: F401
)
from bot.storage import clients as client_store  # noqa: F401
from bot.storage import feedback as feedback_store  # noqa: F401
from bot.storage import goals as goal_store  # noqa: F401
from bot.storage import health as health_store  # noqa: F401
from bot.storage import metrics as metrics_store  # noqa: F401
from bot.storage import owners as owner_store  # noqa: F401
from bot.storage import retros as retro_store  # noqa: F401
from bot.storage.engine import Base

MIGRATIONS = Path(__file__).parent / "migrations"
_LOCK_ID = 7_314_159_265
"""PostgreSQL advisory lock key for schema changes (any fixed number unique to opsbot)."""


class SchemaOutdated(RuntimeError):
    """The database needs `opsbot migrate` before this version of opsbot can use it."""


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations folder has no revision"
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _locked(connection: Connection) -> None:
    """Serialize schema changes; a workspace's own PostgreSQL schema (the first on its URL's search
    path, see bot.core.config.workspace_schema_url) is made here, before its tables."""
    if connection.dialect.name != "postgresql":
        return
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_ID})
    schema = workspace_schema(str(connection.engine.url.query.get("options", "")))
    if schema is not None:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))


def workspace_schema(options: str) -> str | None:
    """The opsbot workspace schema named in a PostgreSQL `options` connection parameter."""
    for part in options.split():
        name = part.removeprefix("-csearch_path=")
        if name != part and _WORKSPACE_SCHEMA.fullmatch(name):
            return name
    return None


_WORKSPACE_SCHEMA = re.compile(r"opsbot_[a-z0-9]{1,32}")


def ensure_schema(engine: Engine) -> None:
    """Make the schema current as described above; SchemaOutdated when only `opsbot migrate` may."""
    head = head_revision()
    with engine.begin() as connection:
        _locked(connection)
        current = current_revision(connection)
        if current == head:
            return
        if current is None:  # new, or from before migrations (the first revision is what it had)
            Base.metadata.create_all(connection)
            command.stamp(alembic_config(connection), head)
            return
        if connection.dialect.name != "sqlite":
            raise SchemaOutdated(
                f"The database is at schema revision {current}; this opsbot needs {head}. "
                "Run `opsbot migrate` once (with the same DATABASE_URL), then start opsbot again."
            )
        command.upgrade(alembic_config(connection), "head")


def migrate(engine: Engine) -> tuple[str | None, str]:
    """`opsbot migrate`: apply the migrations up to the latest; (revision before, revision after)."""
    with engine.begin() as connection:
        _locked(connection)
        before = current_revision(connection)
        if before is None and set(inspect(connection).get_table_names()) & set(Base.metadata.tables):
            Base.metadata.create_all(connection)  # from before migrations: adopt it as it is
            command.stamp(alembic_config(connection), head_revision())
        else:
            command.upgrade(alembic_config(connection), "head")
        return before, current_revision(connection) or ""
