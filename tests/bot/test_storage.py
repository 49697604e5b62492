from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.storage import EventLedger, create_db_engine
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
