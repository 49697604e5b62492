"""The delivery log's claims: who may send, and when a sender must look in Slack first."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.storage.delivery_log import STALE_CLAIM, DeliveryLog
from bot.storage.engine import create_db_engine
from tests.conftest import db_url_for

DAY = date(2026, 11, 23)
NINE = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def _log(tmp_path: Path) -> DeliveryLog:
    return DeliveryLog(create_db_engine(db_url_for(tmp_path)))


def test_a_first_claim_needs_no_lookup_and_a_second_is_refused(tmp_path: Path) -> None:
    log = _log(tmp_path)
    claim = log.claim("U1", DAY, "digest", NINE)
    assert claim is not None and claim.earlier is None
    assert log.claim("U1", DAY, "digest", NINE + timedelta(minutes=1)) is None, "held by a live sender"
    log.sent(claim, "D1", "1.0")
    assert log.claim("U1", DAY, "digest", NINE + STALE_CLAIM * 2) is None, "sent"
    assert log.settled("digest") == {("U1", DAY, "digest")}


def test_a_certain_failure_is_forgotten_but_a_maybe_sent_one_is_looked_up(tmp_path: Path) -> None:
    log = _log(tmp_path)
    refused = log.claim("U1", DAY, "digest", NINE)
    assert refused is not None
    log.release(refused)  # Slack answered with an error: nothing was posted
    again = log.claim("U1", DAY, "digest", NINE + timedelta(minutes=1))
    assert again is not None and again.earlier is None

    log.release(again, maybe_sent=True)  # a timeout
    assert log.settled("digest") == set(), "to retry is not settled"
    retry = log.claim("U1", DAY, "digest", NINE + timedelta(minutes=2))
    assert retry is not None and retry.earlier == NINE + timedelta(minutes=1)
    log.release(retry)  # refused this time, but the timed-out attempt may still have landed
    last = log.claim("U1", DAY, "digest", NINE + timedelta(minutes=3))
    assert last is not None and last.earlier is not None, "still looked up first"


def test_a_dead_senders_claim_is_taken_over_after_the_stale_time_with_a_lookup(tmp_path: Path) -> None:
    log = _log(tmp_path)
    dead = log.claim("U1", DAY, "digest", NINE)
    assert dead is not None
    assert log.claim("U1", DAY, "digest", NINE + STALE_CLAIM - timedelta(seconds=1)) is None
    taken = log.claim("U1", DAY, "digest", NINE + STALE_CLAIM + timedelta(seconds=1))
    assert taken is not None and taken.earlier == NINE and taken.token != dead.token
    log.sent(dead, "D1", "1.0")  # the dead sender's token no longer counts
    assert log.settled("digest") == set()
    log.sent(taken, "D1", "2.0")
    assert log.last_sent("U1", "digest").ts == "2.0"  # type: ignore[union-attr]


def test_racing_senders_take_a_retry_once(tmp_path: Path) -> None:
    log = _log(tmp_path)
    first = log.claim("U1", DAY, "digest", NINE)
    assert first is not None
    log.release(first, maybe_sent=True)
    won: list[object] = []
    barrier = threading.Barrier(8)

    def take() -> None:
        barrier.wait()
        claim = _log(tmp_path).claim("U1", DAY, "digest", NINE + timedelta(minutes=1))
        if claim is not None:
            won.append(claim)

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1
