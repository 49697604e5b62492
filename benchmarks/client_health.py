"""Client health for a large roster: every client scored from 90 days of its usage, the complaints
filed for it and its contract, as `opsbot health` does it (read and computed).

Usage: python benchmarks/client_health.py [--clients 5000] [--complaints 2000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

from bot.storage.clients import ClientStore
from bot.storage.engine import create_db_engine, sqlite_url
from bot.storage.feedback import FeedbackStore, NewFeedback
from bot.storage.health import clients_health
from bot.storage.metrics import MetricStore
from skills.client_roster import ClientRecord
from skills.feedback_categories import Classification
from skills.health import load_health_config
from skills.metrics_csv import MetricValue

TODAY = date(2026, 12, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument("--complaints", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        engine = create_db_engine(sqlite_url(Path(home)))
        ClientStore(engine).save(
            [
                ClientRecord(
                    f"C{n:05d}",
                    f"Client {n} Ltd",
                    100_000,
                    TODAY + timedelta(days=20 + n % 400),
                    f"U{n % 400:05d}",
                    {"payment": n % 90 if n % 10 == 0 else 0},
                    n % 13 == 0,
                )
                for n in range(args.clients)
            ]
        )
        values = [
            MetricValue(
                TODAY - timedelta(days=back), "active_users", 100.0 - (n % 5) * 10 * (back <= 30), f"C{n:05d}"
            )
            for n in range(args.clients)
            for back in range(1, 91)
        ]
        MetricStore(engine).save(values)
        feedback = FeedbackStore(engine)
        for n in range(args.complaints):
            feedback.file(
                NewFeedback(
                    dedupe_key=f"bench-{n}",
                    text=f"complaint {n}: the export is broken again",
                    reporter="U1",
                    filed_by="U1",
                    source="cli",
                    lang="en",
                    customer=f"Client {n * 7 % args.clients}" + (" Ltd." if n % 2 else ""),
                ),
                Classification("complaint", 1.0, ()),
                now=datetime.combine(TODAY - timedelta(days=1 + n % 20), clock(12), tzinfo=UTC),
            )
        print(f"{args.clients:,} clients, {len(values):,} usage values, {args.complaints:,} complaints")
        config = load_health_config(None)
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            healths = clients_health(engine, TODAY, config)
            timings.append(time.perf_counter() - started)
        statuses = Counter(health.status for health in healths)
        print(
            f"health of {len(healths):,} clients: median {statistics.median(timings):.2f}s, max {max(timings):.2f}s; "
            f"{statuses['green']} green, {statuses['yellow']} yellow, {statuses['red']} red"
        )


if __name__ == "__main__":
    main()
