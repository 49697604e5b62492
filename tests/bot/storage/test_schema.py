"""The schema kept by migrations: the migrations build exactly what the models describe, a database
from before migrations is adopted, and an outdated shared database stops opsbot until `opsbot migrate`.
Runs on SQLite, and on PostgreSQL when OPSBOT_TEST_DATABASE_URL is set."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from bot.cli.main import main
from bot.storage.engine import Base, create_db_engine
from bot.storage.schema import SchemaOutdated, current_revision, ensure_schema, head_revision, migrate
from tests.conftest import db_url_for


def test_the_migrations_build_what_the_models_describe(tmp_path: Path) -> None:
    engine = create_db_engine(db_url_for(tmp_path), prepare_schema=False)
    before, after = migrate(engine)
    assert (before, after) == (None, head_revision())
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_a_new_database_is_made_current_at_once(tmp_path: Path) -> None:
    engine = create_db_engine(db_url_for(tmp_path))
    with engine.connect() as connection:
        assert current_revision(connection) == head_revision()
        assert set(Base.metadata.tables) <= set(inspect(connection).get_table_names())


def test_a_database_from_before_migrations_is_adopted(tmp_path: Path) -> None:
    engine = create_db_engine(db_url_for(tmp_path), prepare_schema=False)
    Base.metadata.tables["owners"].create(engine)
    ensure_schema(engine)
    with engine.connect() as connection:
        assert current_revision(connection) == head_revision()
        assert "clients" in inspect(connection).get_table_names()


def test_an_outdated_shared_database_waits_for_opsbot_migrate(tmp_path: Path) -> None:
    engine = create_db_engine(db_url_for(tmp_path))
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite is upgraded in place; the outdated path is for shared databases")
    with pytest.raises(SchemaOutdated, match="Run `opsbot migrate`"):
        ensure_schema(engine)


def test_opsbot_migrate_and_its_check(
    clean_environment: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OPSBOT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OPSBOT_LOG_LEVEL", "WARNING")
    assert main(["migrate", "--check"]) == 1
    assert main(["migrate"]) == 0
    assert main(["migrate", "--check"]) == 0
    out = capsys.readouterr().out
    assert f"none → {head_revision()}" in out and f"opsbot needs {head_revision()}" in out


def test_an_unreachable_database_is_one_line_without_the_password(
    clean_environment: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://opsbot:s3cret-pass@127.0.0.1:1/opsbot")
    assert main(["owners", "list"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("opsbot: Setting DATABASE_URL: the database cannot be used (")
    assert "s3cret-pass" not in error and "Traceback" not in error


def test_opsbot_migrate_brings_every_installed_workspace_along(
    clean_environment: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from slack_sdk.oauth.installation_store import Bot

    from bot.storage.installations import installation_store

    monkeypatch.setenv("OPSBOT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OPSBOT_LOG_LEVEL", "WARNING")
    monkeypatch.setenv("SLACK_CLIENT_ID", "1111.2222")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "client-secret")
    assert main(["migrate"]) == 0
    root = create_db_engine(db_url_for(tmp_path / "home"))
    bot = Bot(
        app_id="A1",
        enterprise_id=None,
        team_id="T1",
        bot_token="xoxb-1-workspace",
        bot_id="B1",
        bot_user_id="U1",
        bot_scopes="chat:write",
        installed_at=1_790_000_000.0,
    )
    installation_store("1111.2222", root).save_bot(bot)
    assert main(["migrate", "--check"]) == 1  # the workspace's own database is not there yet
    assert main(["migrate"]) == 0
    assert main(["migrate", "--check"]) == 0
    out = capsys.readouterr().out
    assert f"workspace T1: none → {head_revision()}" in out
    assert f"workspace T1: {head_revision()}; opsbot needs {head_revision()}" in out
