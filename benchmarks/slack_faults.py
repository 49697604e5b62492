"""Morning digests while Slack misbehaves: the digest scheduler (every-minute scans, driven by a moving
clock) against the loopback Slack API with faults injected in the middle of the run:

- nothing (the baseline, for the time the others add);
- bursts of HTTP 429 with Retry-After (some within the client's retries, some beyond them);
- bursts of 5xx (the same);
- slow answers beyond the client's timeout, once with the message posted anyway (Slack was slow)
  and once without (Slack failed slowly): the next scan looks for the message in the direct
  message's history (by its metadata) and records it, or sends it when it is not there;
- a refused bot token (`invalid_auth`, then `account_inactive`) for an hour of scans, then fixed.

For each: digests delivered, calls refused and retried (by the client, or given back to the next
scan), scans and seconds it took, lost and doubled digests (chat.postMessage per owner as Slack
recorded them). For the refused token: that the scheduler paused, logged exactly one ERROR line,
made no call while paused but one auth.test per recheck, and resumed once auth.test succeeds.

Usage: python benchmarks/slack_faults.py [--owners 200] [--scenario all|429|5xx|timeout|token]
       [--client-timeout 2] [--paused-minutes 60]
The client is the schedulers' (bot.slack.client.create_web_client(scheduled=True), with its retry
handlers: 5xx are left to the next scan, which looks for the message first); only its timeout is
shortened (15 s in opsbot) so the timeouts cost seconds, not minutes. Prints PASS/FAIL for every
correctness check; exits 1 when one fails.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from harness.checks import Checks

from bot.digest.scheduler import DigestScheduler
from bot.local.slack_api import LocalSlack, StoredMessage
from bot.slack.client import create_web_client
from bot.slack.health import RECHECK
from bot.storage.delivery_log import DeliveryLog
from bot.storage.engine import create_db_engine, sqlite_url
from bot.storage.owners import Owner

NINE_IN_SHANGHAI = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # a Monday
DAY = date(2026, 11, 23)
MAX_SCANS = 200

check = Checks()


class Records(logging.Handler):
    """Every log record of the run, to count ERROR lines, warnings and the client's retries."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def count(self, level: int, contains: str = "", logger: str = "") -> int:
        return sum(
            1
            for r in self.records
            if r.levelno == level and contains in r.getMessage() and r.name.startswith(logger)
        )


@dataclass
class Run:
    """One scenario: a fresh database with `owners` owners due, a loopback Slack and opsbot's client."""

    owners: int
    folder: Path
    client_timeout: float | None = None
    slack: LocalSlack = field(default_factory=LocalSlack)
    records: Records = field(default_factory=Records)

    def __post_init__(self) -> None:
        self.client = create_web_client("xoxb-benchmark", self.slack.start(), scheduled=True)
        if self.client_timeout is not None:
            self.client.timeout = self.client_timeout  # type: ignore[assignment]
        self.folder.mkdir()
        self.engine = create_db_engine(sqlite_url(self.folder))
        created = datetime.now(UTC)
        with self.engine.begin() as connection:  # bulk set-up, not the code under test
            connection.execute(
                Owner.__table__.insert(),
                [
                    {
                        "user": f"U{n:05d}",
                        "tz": "Asia/Shanghai",
                        "tz_overridden": False,
                        "digest_at": "09:00",
                        "working_days": "0,1,2,3,4",
                        "metrics": "",
                        "paused": False,
                        "created_at": created,
                    }
                    for n in range(self.owners)
                ],
            )
        self.scheduler = DigestScheduler(self.engine, self.client, "UTC")
        root = logging.getLogger()
        root.addHandler(self.records)
        root.setLevel(logging.INFO)

    def every_post(self, action: Callable[[int], None]) -> None:
        """Call `action(n)` after the n-th digest Slack accepted (n from 1)."""
        accepted = 0

        def on_change(message: StoredMessage) -> None:
            nonlocal accepted
            if message.channel.startswith("U") and message.version == 0 and message.channel != "response_url":
                accepted += 1
                action(accepted)

        self.slack.on_change = on_change

    def scan_until_done(self, minute: int = 0, last_minute: int | None = None) -> tuple[int, float, int]:
        """Scan once a (simulated) minute until every digest is out; (scans, seconds, next minute)."""
        log = DeliveryLog(self.engine)
        scans, began = 0, time.perf_counter()
        while scans < MAX_SCANS and (last_minute is None or minute <= last_minute):
            self.scheduler.scan(NINE_IN_SHANGHAI + timedelta(minutes=minute))
            scans += 1
            minute += 1
            if log.sent_count("digest", DAY) >= self.owners:
                break
        return scans, time.perf_counter() - began, minute

    def posts(self) -> list[tuple[str, int, float]]:
        """(owner, HTTP status, arrival) of every chat.postMessage to an owner."""
        return [
            (str(call.params.get("channel")), call.status, call.at)
            for call in self.slack.calls_to("chat.postMessage")
            if str(call.params.get("channel", "")).startswith("U")
        ]

    def outcome(self) -> tuple[int, list[str], list[str]]:
        """(digests in the delivery log, lost owners, doubled owners), from Slack's records."""
        accepted = Counter(owner for owner, status, _ in self.posts() if status == 200)
        lost = [f"U{n:05d}" for n in range(self.owners) if accepted[f"U{n:05d}"] == 0]
        doubled = sorted(owner for owner, count in accepted.items() if count > 1)
        return DeliveryLog(self.engine).sent_count("digest", DAY), lost, doubled

    def report(self, title: str, scans: int, seconds: float) -> None:
        delivered, lost, doubled = self.outcome()
        posts = self.posts()
        refused = sum(1 for _, status, _ in posts if status != 200)
        client_retries = self.records.count(logging.INFO, "retry", "slack_sdk")
        given_back = self.records.count(logging.WARNING, "the next scan") + self.records.count(
            logging.ERROR, "the next scan"
        )
        print(
            f"{title}: {delivered}/{self.owners} delivered in {seconds:.1f} s over {scans} scan(s); "
            f"{len(posts)} chat.postMessage calls, {refused} refused with an HTTP error; "
            f"{client_retries} retried by the client, {given_back} given back to the next scan"
        )
        check(not lost, f"no digest lost ({len(lost)})")
        accepted = Counter(owner for owner, status, _ in posts if status == 200)
        extra = sum(accepted[owner] - 1 for owner in doubled)
        check(
            not doubled,
            f"no digest doubled ({len(doubled)} owner(s) got {extra} extra digest(s)"
            f"{': ' + ', '.join(doubled[:5]) if doubled else ''})",
        )

    def close(self) -> None:
        logging.getLogger().removeHandler(self.records)
        self.slack.stop()
        self.engine.dispose()


def bursts(run: Run, every: int, status: int, sizes: tuple[int, ...], retry_after: int | None) -> None:
    """Every `every` digests, the next calls are refused: bursts of `sizes[i]`, in turn."""

    def inject(n: int) -> None:
        if n % every == 0:
            size = sizes[(n // every) % len(sizes)]
            run.slack.fail_next("chat.postMessage", status, retry_after=retry_after, times=size)

    run.every_post(inject)


def scenario_baseline(owners: int, folder: Path) -> None:
    run = Run(owners, folder / "baseline")
    try:
        scans, seconds, _ = run.scan_until_done()
        run.report("no faults (the baseline)", scans, seconds)
    finally:
        run.close()


def scenario_429(owners: int, folder: Path) -> None:
    run = Run(owners, folder / "429")
    try:
        bursts(run, 40, 429, (2, 5), retry_after=1)
        scans, seconds, _ = run.scan_until_done()
        run.report("429 bursts (2 and 5 calls, Retry-After 1 s, every 40 digests)", scans, seconds)
    finally:
        run.close()


def scenario_5xx(owners: int, folder: Path) -> None:
    run = Run(owners, folder / "5xx")
    try:
        bursts(run, 40, 503, (2, 4), retry_after=None)
        scans, seconds, _ = run.scan_until_done()
        run.report("5xx bursts (2 and 4 calls answered 503, every 40 digests)", scans, seconds)
    finally:
        run.close()


def scenario_timeouts(owners: int, folder: Path, client_timeout: float) -> None:
    for posted in (True, False):
        run = Run(owners, folder / f"timeout-{posted}", client_timeout=client_timeout)
        try:

            def slow(n: int, run: Run = run, posted: bool = posted) -> None:
                if n % 50 == 0:
                    run.slack.slow_next("chat.postMessage", client_timeout + 1.0)
                    if not posted:
                        run.slack.fail_next("chat.postMessage", 503)

            run.every_post(slow)
            scans, seconds, _ = run.scan_until_done()
            what = "posted anyway" if posted else "not posted (a slow 503)"
            run.report(
                f"answers {client_timeout + 1:g} s late, client timeout {client_timeout:g} s, every 50 digests, "
                f"{what}",
                scans,
                seconds,
            )
            late = sum(
                1 for r in run.records.records if r.exc_info and isinstance(r.exc_info[1], TimeoutError)
            )
            found = run.records.count(logging.INFO, "had reached Slack")
            lookups = len(run.slack.calls_to("conversations.history"))
            print(
                f"  {late} digest(s) hit the client timeout and were given back to the next scan, which "
                f"looked for them in Slack ({lookups} conversations.history call(s)): {found} had been "
                f"posted and were recorded, the rest were sent"
            )
        finally:
            run.close()


def scenario_token(owners: int, folder: Path, code: str, paused_minutes: int) -> None:
    run = Run(owners, folder / f"token-{code}")
    try:
        refused_at: list[float] = []

        def revoke(n: int) -> None:
            if n == owners // 4:
                run.slack.refuse_token(code)
                refused_at.append(time.monotonic())

        run.every_post(revoke)
        began = time.perf_counter()
        _, _, minute = run.scan_until_done(last_minute=paused_minutes)
        paused = run.scheduler.health.paused if run.scheduler.health is not None else False
        during = [call for call in run.slack.calls if refused_at and call.at >= refused_at[0]]
        delivered_while = DeliveryLog(run.engine).sent_count("digest", DAY)
        errors = [r for r in run.records.records if r.levelno >= logging.ERROR]
        run.slack.accept_token()
        resumed_after: int | None = None
        more = 0
        log = DeliveryLog(run.engine)
        while more < MAX_SCANS and log.sent_count("digest", DAY) < owners:
            sent = run.scheduler.scan(NINE_IN_SHANGHAI + timedelta(minutes=minute + more))
            more += 1
            if sent and resumed_after is None:
                resumed_after = more
        seconds = time.perf_counter() - began
        methods = Counter(call.method for call in during)
        refusals = sum(1 for call in during if call.method != "auth.test")
        rechecks = methods["auth.test"]
        allowed = paused_minutes // int(RECHECK.total_seconds() // 60) + 1
        print(
            f"token refused ({code}) after {owners // 4} digests, for {paused_minutes} simulated minutes of "
            f"scans: {delivered_while} delivered before the pause; while refused {len(during)} calls "
            f"({dict(methods)}); {len(errors)} ERROR line(s); after the fix {more} more scan(s), "
            f"{run.outcome()[0]}/{owners} delivered, {seconds:.1f} s in all"
        )
        for record in errors[:2]:
            print(f"  ERROR: {record.getMessage()[:160]}…")
        check(paused, "the scheduler paused (stayed paused while auth.test failed)")
        check(len(errors) == 1, f"exactly one ERROR line ({len(errors)})")
        check(
            refusals <= 1 and rechecks <= allowed,
            f"no spinning while paused: {refusals} refused call(s) besides auth.test (at most 1), "
            f"{rechecks} auth.test (at most {allowed}, one per {RECHECK})",
        )
        check(
            resumed_after is not None,
            f"resumed once auth.test succeeded again (at the scan {resumed_after} simulated minute(s) "
            f"after the token was fixed; rechecks are {RECHECK} apart)",
        )
        _, lost, doubled = run.outcome()
        check(not lost, f"no digest lost ({len(lost)})")
        check(not doubled, f"no digest doubled ({len(doubled)})")
    finally:
        run.close()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--owners", type=int, default=200)
    parser.add_argument("--scenario", choices=("all", "429", "5xx", "timeout", "token"), default="all")
    parser.add_argument(
        "--client-timeout", type=float, default=2.0, help="seconds before the client gives up (opsbot: 15)"
    )
    parser.add_argument(
        "--paused-minutes", type=int, default=60, help="simulated minutes the token is refused"
    )
    args = parser.parse_args()
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        if args.scenario == "all":
            scenario_baseline(args.owners, folder)
        if args.scenario in ("all", "429"):
            scenario_429(args.owners, folder)
        if args.scenario in ("all", "5xx"):
            scenario_5xx(args.owners, folder)
        if args.scenario in ("all", "timeout"):
            scenario_timeouts(args.owners, folder, args.client_timeout)
        if args.scenario in ("all", "token"):
            for code in ("invalid_auth", "account_inactive"):
                scenario_token(args.owners, folder, code, args.paused_minutes)
    return check.summary(began)


if __name__ == "__main__":
    sys.exit(main())
