"""Renewal reminders for a large roster: the cost of a scan when nothing is due (every 5 minutes, all
day), and of the scan that sends the briefs due that morning, each with 90 days of usage and a chart,
against the loopback Slack API. Checks zero duplicates across a second scan.

Usage: python benchmarks/renewal_scan.py [--clients 5000] [--due 200]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.core.config import Settings
from bot.local.slack_api import LocalSlack
from bot.renewal.scheduler import RenewalScheduler
from bot.slack.client import create_web_client
from bot.storage.clients import ClientStore
from bot.storage.engine import create_db_engine, sqlite_url
from bot.storage.metrics import MetricStore
from skills.client_roster import ClientRecord
from skills.metrics_csv import MetricValue

TODAY = date(2026, 11, 30)  # a Monday


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument("--due", type=int, default=200, help="clients exactly 30 days from their end")
    args = parser.parse_args()
    slack = LocalSlack()
    client = create_web_client("xoxb-benchmark", slack.start())
    with tempfile.TemporaryDirectory() as home:
        engine = create_db_engine(sqlite_url(Path(home)))
        records = [
            ClientRecord(
                f"C{n:05d}",
                f"Client {n}",
                100_000,
                TODAY + timedelta(days=30 if n < args.due else 120 + n % 200),
                f"U{n % 400:05d}",
                {"payment": 0, "growth": 10},
            )
            for n in range(args.clients)
        ]
        ClientStore(engine).save(records)
        MetricStore(engine).save(
            [
                MetricValue(TODAY - timedelta(days=back), "active_users", 100.0 - back % 7, record.id)
                for record in records[: args.due]
                for back in range(1, 91)
            ]
        )
        settings = Settings(_env_file=None, OPSBOT_HOME=home)  # type: ignore[call-arg]
        scheduler = RenewalScheduler(engine, client, settings)
        began = time.perf_counter()
        assert scheduler.scan(datetime(2026, 11, 30, 8, 0, tzinfo=UTC)) == 0
        idle = time.perf_counter() - began
        began = time.perf_counter()
        sent = scheduler.scan(datetime(2026, 11, 30, 9, 30, tzinfo=UTC))
        sending = time.perf_counter() - began
        again = scheduler.scan(datetime(2026, 11, 30, 9, 35, tzinfo=UTC))
    posts = Counter(call.params["text"] for call in slack.calls_to("chat.postMessage"))
    slack.stop()
    duplicates = sum(n - 1 for n in posts.values() if n > 1)
    print(
        f"{args.clients:,} clients: a scan with nothing due {idle * 1000:.0f} ms; "
        f"{sent} briefs due sent in {sending:.1f} s ({sending / max(sent, 1) * 1000:.0f} ms each, "
        f"with usage chart); the next scan sent {again}; duplicates {duplicates}"
    )


if __name__ == "__main__":
    main()
