from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.storage.engine import EventLedger, create_db_engine
from tests.conftest import db_url_for


def test_claims_are_exclusive_and_atomic(tmp_path: Path) -> None:
    ledger = EventLedger(create_db_engine(db_url_for(tmp_path)))
    assert ledger.claim("event:E1", "message:C1:1")
    assert not ledger.claim("event:E1")
    assert not ledger.claim("event:E2", "message:C1:1")
    assert ledger.claim("event:E2"), "a refused claim must not have kept any of its keys"


def test_claims_survive_a_restart(tmp_path: Path) -> None:
    assert EventLedger(create_db_engine(db_url_for(tmp_path))).claim("event:E1")
    assert not EventLedger(create_db_engine(db_url_for(tmp_path))).claim("event:E1")


def test_old_claims_are_pruned_by_later_claims(tmp_path: Path) -> None:
    ledger = EventLedger(create_db_engine(db_url_for(tmp_path)))
    now = datetime.now(UTC)
    ledger.claim("event:old", now=now - timedelta(days=3))
    ledger.claim("event:new", now=now)
    assert ledger.claim("event:old"), "forgotten once older than the retention"
    assert not ledger.claim("event:new")


def test_prune_removes_only_expired_keys(tmp_path: Path) -> None:
    ledger = EventLedger(create_db_engine(db_url_for(tmp_path)))
    now = datetime.now(UTC)
    ledger.claim("event:recent", now=now - timedelta(hours=1))
    ledger.claim("event:old", now=now - timedelta(days=3))
    assert ledger.prune(now=now) == 1
    assert not ledger.claim("event:recent")


def test_a_stuck_postgresql_costs_seconds_not_minutes(tmp_path: Path) -> None:
    """Time limits are set on every PostgreSQL connection, a workspace's search path kept with them."""
    import os

    import pytest
    from sqlalchemy import text

    from bot.core.config import workspace_schema_url

    url = os.environ.get("DATABASE_URL")
    if not url:
        pytest.skip("PostgreSQL only (OPSBOT_TEST_DATABASE_URL)")
    for engine in (create_db_engine(url), create_db_engine(workspace_schema_url(url, "T42"))):
        with engine.connect() as connection:
            assert connection.execute(text("SHOW statement_timeout")).scalar() == "1min"
            assert connection.execute(text("SHOW lock_timeout")).scalar() == "10s"
        assert engine.pool.timeout() == 10
    with create_db_engine(workspace_schema_url(url, "T42")).connect() as connection:
        assert connection.execute(text("SELECT current_schema()")).scalar() == "opsbot_t42"
