"""`opsbot serve --http` under measurement, with N processes sharing one database (and optionally one
Chroma server), requests spread round-robin across them, as behind a load balancer:

- start-up to /healthz 200 (the first process indexes the playbook; the others start warm), idle
  memory;
- N concurrent slash commands (default 200 `/ops todo add …`, one per user): every one acked with
  200, its delayed answer delivered exactly once to its response_url and saying the to-do was
  added, and exactly one to-do row per command in the shared database; ack latency p50/p95/p99/max
  (from connecting to the whole ack; the requests are signed beforehand and sent at once from one
  thread, see harness.serving.burst);
- concurrent questions (default 50, half `/ops ask …`, half app_mention events, or with --dms all
  direct messages): each answered
  exactly once; answer latency p50/p95/max, from the request to the answer reaching Slack.

Usage: python benchmarks/serve_http.py [--processes 2] [--postgres] [--chroma-server]
       [--concurrency 200] [--questions 50] [--dms] [--text TEXT]
Slack is the loopback stand-in (bot.local.slack_api); requests are signed like Slack's. Without
--postgres the processes share a SQLite file (and the embedded index) in one OPSBOT_HOME.
Prints PASS/FAIL for the no-loss/no-double checks; exits 1 when one fails.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from harness.checks import Checks
from harness.databases import ChromaServer, Postgres
from harness.serving import (
    Server,
    app_mention,
    burst,
    direct_message,
    free_port,
    memory_report,
    message_text,
    opsbot_env,
    percentile,
    slash_command,
    slash_command_bytes,
)
from sqlalchemy import func, select

from bot.local.slack_api import LocalSlack
from bot.storage.engine import create_db_engine, sqlite_url
from bot.storage.owners import Todo

QUESTIONS = [
    "how do I run a retrospective?",
    "RFM 是什么?",
    "客户分层有哪几层?",
    "what goes into a weekly report?",
    "续约谈判前要准备什么?",
]
FAILED_ANSWER = ("something went wrong", "出了问题")

check = Checks()


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def fire_together(count: int, request: Callable[[int], None]) -> float:
    """Run `request(n)` for n < count on as many threads, released at once; the seconds it took."""
    barrier = threading.Barrier(count)

    def run(n: int) -> None:
        barrier.wait()
        request(n)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def commands_test(
    servers: list[Server], slack: LocalSlack, count: int, text: str | None, db_url: str
) -> None:
    """`count` concurrent slash commands, round-robin; each acked, answered once, written once."""
    requests = [
        (
            servers[n % len(servers)].port,
            slash_command_bytes(
                servers[n % len(servers)].port,
                text or f"todo add benchmark item {n}",
                slack.response_url(f"c{n}"),
                user=f"UB{n:04d}",
                trigger_id=f"tc{n}",
            ),
        )
        for n in range(count)
    ]
    began = time.monotonic()
    results = burst(requests)
    acked = [latency for status, _, latency in results if status == 200]
    statuses = Counter(status for status, _, _ in results)
    print(
        f"{count} concurrent /ops {'todo add' if text is None else text} over {len(servers)} process(es): "
        f"acks p50 {ms(statistics.median(acked)) if acked else '-'}, p95 {ms(percentile(acked, 0.95))}, "
        f"p99 {ms(percentile(acked, 0.99))}, max {ms(max(acked, default=float('nan')))}; "
        f"HTTP statuses {dict(statuses)}"
    )
    check(len(acked) == count, f"every command acked with 200 ({len(acked)}/{count})")
    if text is not None:
        print("  (--text given: no delayed answer is expected, so only the acks are checked)")
        return
    names = {f"respond/c{n}" for n in range(count)}

    def answered(s: LocalSlack) -> bool:
        return len({call.method for call in s.calls if call.method in names}) >= count

    complete = slack.wait_for(answered, timeout=120)
    time.sleep(2.0)  # a second answer to the same command would arrive by now
    calls = [call for call in slack.calls if call.method in names]
    per_command = Counter(call.method for call in calls)
    last = max((call.at for call in calls), default=began)
    lost = [name for name in sorted(names) if per_command[name] == 0]
    doubled = [name for name, n in per_command.items() if n > 1]
    wrong = [
        call.method
        for call in calls
        if f"benchmark item {call.method.removeprefix('respond/c')}" not in message_text(call.params)
    ]
    print(
        f"  delayed answers: {len(per_command)}/{count} commands answered, the last "
        f"{last - began:.1f} s after the burst began" + ("" if complete else " (TIMED OUT)")
    )
    check(not lost, f"no delayed answer lost ({len(lost)} lost{': ' + ', '.join(lost[:5]) if lost else ''})")
    check(not doubled, f"no delayed answer delivered twice ({len(doubled)} doubled)")
    if wrong:
        sample = next(call for call in calls if call.method == wrong[0])
        print(f"  e.g. {wrong[0]} got: {message_text(sample.params)[:200]!r}")
    check(not wrong, f"every answer lists the to-do it added ({len(wrong)} did not)")
    engine = create_db_engine(db_url)
    with engine.connect() as connection:
        rows = dict(
            connection.execute(
                select(Todo.owner, func.count())
                .where(Todo.text.startswith("benchmark item"))
                .group_by(Todo.owner)
            ).all()
        )
    engine.dispose()
    missing = [n for n in range(count) if rows.get(f"UB{n:04d}", 0) == 0]
    twice = [owner for owner, n in rows.items() if n > 1]
    check(
        not missing and not twice,
        f"one to-do row per command ({len(missing)} missing, {len(twice)} written twice)",
    )


def questions_test(servers: list[Server], slack: LocalSlack, count: int, dms: bool = False) -> None:
    """`count` concurrent questions, round-robin, alternately `/ops ask` and app_mention (with
    `dms`: all direct messages, each from its own user in its own DM)."""
    sent_at: dict[int, float] = {}
    statuses: dict[int, int] = {}
    run = int(time.time())

    def request(n: int) -> None:
        server = servers[n % len(servers)]
        question = QUESTIONS[n % len(QUESTIONS)]
        sent_at[n] = time.monotonic()
        if dms:
            ts = f"{run}.{n:06d}"
            status, _, _ = direct_message(server.port, question, f"DQ{n}", ts, f"EvD{run}{n}", f"UQ{n}")
        elif n % 2 == 0:
            status, _, _ = slash_command(
                server.port,
                f"ask {question}",
                slack.response_url(f"q{n}"),
                channel=f"CQ{n}",
                trigger_id=f"tq{n}",
            )
        else:
            ts = f"{run}.{n:06d}"
            status, _, _ = app_mention(server.port, question, f"CQ{n}", ts, f"EvQ{run}{n}")
        statuses[n] = status

    def answers_of(n: int, s: LocalSlack) -> list[float]:
        if dms:
            return [
                call.at
                for call in s.calls
                if call.method == "chat.update" and call.params.get("channel") == f"DQ{n}"
            ]
        if n % 2 == 0:
            return [call.at for call in s.calls if call.method == f"respond/q{n}"]
        return [
            call.at
            for call in s.calls
            if call.method == "chat.update" and call.params.get("channel") == f"CQ{n}"
        ]

    fire_together(count, request)
    complete = slack.wait_for(lambda s: all(answers_of(n, s) for n in range(count)), timeout=300)
    time.sleep(2.0)
    with slack._lock:
        found = {n: answers_of(n, slack) for n in range(count)}
    latencies = [min(times) - sent_at[n] for n, times in found.items() if times]
    ask = [min(t) - sent_at[n] for n, t in found.items() if t and n % 2 == 0]
    mention = [min(t) - sent_at[n] for n, t in found.items() if t and n % 2 == 1]
    kinds = (
        f"{len(latencies)} DMs answered"
        if dms
        else f"{len(ask)} /ops ask, {len(mention)} app_mention answered"
    )
    print(
        f"{count} concurrent questions ({kinds}): "
        f"answer latency p50 {statistics.median(latencies) if latencies else float('nan'):.1f} s, "
        f"p95 {percentile(latencies, 0.95):.1f} s, max {max(latencies, default=float('nan')):.1f} s"
        + ("" if complete else " (TIMED OUT)")
    )
    if ask and mention and not dms:
        print(
            f"  /ops ask p50 {statistics.median(ask):.1f} s, p95 {percentile(ask, 0.95):.1f} s; "
            f"app_mention p50 {statistics.median(mention):.1f} s, p95 {percentile(mention, 0.95):.1f} s"
        )
    refused = [n for n, status in statuses.items() if status != 200]
    check(not refused, f"every question acked with 200 ({len(refused)} not)")
    lost = [n for n, times in found.items() if not times]
    doubled = [n for n, times in found.items() if len(times) > 1]
    check(not lost, f"every question answered ({len(lost)} not)")
    check(not doubled, f"no question answered twice ({len(doubled)} twice)")
    placeholders = Counter(str(call.params.get("channel")) for call in slack.calls_to("chat.postMessage"))
    threads = [f"DQ{n}" for n in range(count)] if dms else [f"CQ{n}" for n in range(1, count, 2)]
    extra = [channel for channel in threads if placeholders[channel] != 1]
    check(not extra, f"one placeholder per mention or DM ({len(extra)} had none or several)")
    failed = []
    for n in range(count):
        for call in slack.calls:
            if call.at in found[n] and any(word in message_text(call.params) for word in FAILED_ANSWER):
                failed.append(n)
    check(not failed, f"no answer is the failure notice ({len(failed)} are)")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--processes", type=int, default=2, help="opsbot serve --http processes (default 2)")
    parser.add_argument(
        "--postgres", action="store_true", help="share a PostgreSQL (.ci/postgres), not SQLite"
    )
    parser.add_argument("--chroma-server", action="store_true", help="share one Chroma server (CHROMA_URL)")
    parser.add_argument(
        "--concurrency", type=int, default=200, help="concurrent slash commands (default 200)"
    )
    parser.add_argument(
        "--questions", type=int, default=50, help="concurrent questions (default 50; 0: none)"
    )
    parser.add_argument("--dms", action="store_true", help="the questions as direct messages")
    parser.add_argument("--text", default=None, help="command text instead of `todo add …` (e.g. help)")
    args = parser.parse_args()
    slack = LocalSlack()
    slack_url = slack.start()
    servers: list[Server] = []
    postgres: Postgres | None = None
    chroma: ChromaServer | None = None
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        home = root / "home"
        home.mkdir()
        try:
            db_url = sqlite_url(home)
            database_url = None
            if args.postgres:
                postgres = Postgres(root / "pg", free_port())
                database_url = db_url = postgres.start()
            chroma_url = None
            if args.chroma_server:
                chroma = ChromaServer(root / "chroma-server", free_port())
                chroma_url = chroma.start()
            setup = (
                f"{args.processes} process(es) on "
                + ("PostgreSQL" if args.postgres else "one SQLite file")
                + (" and one Chroma server" if args.chroma_server else ", embedded index in one OPSBOT_HOME")
            )
            print(setup)
            env = opsbot_env(home, slack_url, database_url, chroma_url)
            servers = [Server(free_port(), env, root / f"serve-{n}.log") for n in range(args.processes)]
            seconds = servers[0].start()
            print(f"process 0: start to /healthz 200, first run (indexes the playbook): {seconds:.1f}s")
            warm = [threading.Thread(target=server.start) for server in servers[1:]]
            for thread in warm:  # the others start together, warm (the index is there)
                thread.start()
            for thread in warm:
                thread.join()
            for number, server in enumerate(servers[1:], start=1):
                if not server.healthy():
                    raise SystemExit(f"process {number} did not start; see {server.log}")
                print(f"process {number}: start to /healthz 200, warm: {server.started_seconds:.1f}s")
            time.sleep(3)
            for number, server in enumerate(servers):
                print(f"process {number} idle resident memory: {memory_report(server.pid)}")
            commands_test(servers, slack, args.concurrency, args.text, db_url)
            if args.questions > 0:
                questions_test(servers, slack, args.questions, args.dms)
            for number, server in enumerate(servers):
                print(f"process {number} resident memory after the load: {memory_report(server.pid)}")
            errors = [
                line
                for server in servers
                for line in server.log_lines()
                if " ERROR " in line or "Traceback" in line
            ]
            print(f"ERROR lines in the processes' logs: {len(errors)}")
            for line in errors[:5]:
                print(f"  {line[:200]}")
        finally:
            for server in servers:
                server.stop()
            if chroma is not None:
                chroma.stop()
            if postgres is not None:
                postgres.stop()
            slack.stop()
    return check.summary(began)


if __name__ == "__main__":
    sys.exit(main())
