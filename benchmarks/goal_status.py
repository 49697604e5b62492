"""Status of many goals at once: as `opsbot goal status`, the digest and the weekly summary read
them. Goals spread over metrics and clients, each with 90 days of daily values behind it (enough
for the weekday profile).

Usage: python benchmarks/goal_status.py [--goals 500] [--clients 100]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bot.storage.engine import create_db_engine, sqlite_url
from bot.storage.goals import GoalStore, goal_statuses
from bot.storage.metrics import MetricStore
from skills.goals import Goal
from skills.metrics_csv import MetricValue

AS_OF = date(2026, 11, 30)
METRICS = ("sales", "new_customers", "active_users", "campaign_participants")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--goals", type=int, default=500)
    parser.add_argument("--clients", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        engine = create_db_engine(sqlite_url(Path(home)))
        metrics, goals = MetricStore(engine), GoalStore(engine)
        clients = ["", *(f"C{n:04d}" for n in range(args.clients))]
        values = [
            MetricValue(AS_OF - timedelta(days=back), metric, 100.0 + back % 7, client)
            for client in clients
            for metric in METRICS
            for back in range(90)
        ]
        metrics.save(values)
        for n in range(args.goals):
            start = AS_OF - timedelta(days=n % 60)
            goals.add(
                Goal(
                    f"goal {n}",
                    METRICS[n % len(METRICS)],
                    7_000.0 + n % 5 * 1_000 if METRICS[n % len(METRICS)] != "active_users" else 100.0 + n % 9,
                    start,
                    start + timedelta(days=89),
                    f"U{n % 50:03d}",
                    clients[n % len(clients)],
                )
            )
        print(
            f"{len(values):,} metric values, {args.goals} goals over {len(clients)} clients and the business"
        )
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            chosen = [stored.goal for stored in goals.goals()]
            statuses = goal_statuses(chosen, metrics, AS_OF)
            timings.append(time.perf_counter() - started)
        behind = sum(not status.on_track for status in statuses)
        print(
            f"status of {len(statuses)} goals (read and computed): median {statistics.median(timings):.3f}s, "
            f"max {max(timings):.3f}s; {behind} behind pace"
        )


if __name__ == "__main__":
    main()
