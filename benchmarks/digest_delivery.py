"""Morning digests for many owners at once (default 5,000, all due at 09:00 Shanghai time) against
the loopback Slack API rate-limiting chat.postMessage (HTTP 429 with Retry-After). Prints the total
time, the 429s met, and checks zero duplicates and zero losses (scans repeat until every digest is
out, as the every-minute scan would).

Usage: python benchmarks/digest_delivery.py [--owners 5000] [--per-second 200]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

from bot.digest.scheduler import DigestScheduler
from bot.local.slack_api import LocalSlack
from bot.slack.client import create_web_client
from bot.storage.delivery_log import DeliveryLog
from bot.storage.engine import create_db_engine, sqlite_url
from bot.storage.owners import Owner, OwnerStore, TodoStore


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--owners", type=int, default=5000)
    parser.add_argument(
        "--per-second", type=int, default=200, help="chat.postMessage calls Slack accepts per second"
    )
    args = parser.parse_args()
    slack = LocalSlack(rate_limits={"chat.postMessage": args.per_second})
    client = create_web_client("xoxb-benchmark", slack.start())
    with tempfile.TemporaryDirectory() as home:
        engine = create_db_engine(sqlite_url(Path(home)))
        owners, todos = OwnerStore(engine), TodoStore(engine)
        created = datetime.now(UTC)
        with owners._sessions() as session:  # bulk set-up, not the code under test
            session.add_all(
                Owner(user=f"U{n:05d}", tz="Asia/Shanghai", created_at=created) for n in range(args.owners)
            )
            session.commit()
        for n in range(0, args.owners, 10):
            todos.add(f"U{n:05d}", "call the client about the renewal", date(2026, 11, 20))
        scheduler = DigestScheduler(engine, client, "UTC")
        moment = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
        began = time.perf_counter()
        scans = []
        while True:
            sent = scheduler.scan(moment)
            scans.append(sent)
            if sent == 0 or len(scans) > 20:
                break
        elapsed = time.perf_counter() - began
        delivered = DeliveryLog(engine).sent_count("digest", date(2026, 11, 23))
    posts = slack.calls_to("chat.postMessage")
    accepted = [call.params["channel"] for call in posts if call.status == 200]
    slack.stop()
    counts = Counter(accepted)
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    lost = args.owners - len(counts)
    refused = len(posts) - len(accepted)
    print(
        f"{args.owners:,} owners, limit {args.per_second}/s: {elapsed:.1f} s in {len(scans) - 1} scan(s) "
        f"({', '.join(str(n) for n in scans[:-1])} sent); {refused:,} answered 429 and retried; "
        f"delivery log {delivered:,}; duplicates {duplicates}; lost {lost}"
    )


if __name__ == "__main__":
    main()
