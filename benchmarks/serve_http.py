"""`opsbot serve --http` under measurement: start-up to /healthz 200 (first run and warm), idle memory,
and ack latency for N concurrent slash commands (default 200), with every answer accounted for.

Usage: python benchmarks/serve_http.py [--concurrency 200]
Slack is the loopback stand-in (bot.local_slack); requests are signed like Slack's.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bot.local_slack import LocalSlack

SECRET = "benchmark-signing-secret"
QUESTIONS = [
    "how do I run a retrospective?",
    "RFM 是什么?",
    "客户分层有哪几层?",
    "what goes into a weekly report?",
    "续约谈判前要准备什么?",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(home: Path, port: int, slack_url: str) -> tuple[subprocess.Popen[bytes], float]:
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-benchmark",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_BASE_URL": slack_url,
        "OPSBOT_HOME": str(home),
        "OPSBOT_LOG_LEVEL": "WARNING",
    }
    env.pop("SLACK_APP_TOKEN", None)
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--http", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
    )
    deadline = started + 600
    while time.perf_counter() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return process, time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        time.sleep(0.05)
    raise SystemExit("server did not become healthy in 10 minutes")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def resident_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def memory_report(pid: int) -> str:
    """The serving process and its answer process(es), which hold the models and the index."""
    children = [
        int(child)
        for task in Path(f"/proc/{pid}/task").iterdir()
        for child in (task / "children").read_text().split()
    ]
    parts = [f"serving {resident_mib(pid):.0f} MiB"] + [f"child {resident_mib(c):.0f} MiB" for c in children]
    total = resident_mib(pid) + sum(resident_mib(c) for c in children)
    return f"{total:.0f} MiB ({', '.join(parts)})"


def slash_command(port: int, text: str, response_url: str) -> tuple[int, float]:
    body = urlencode(
        {
            "command": "/ops",
            "text": text,
            "user_id": "UBENCH",
            "channel_id": "CBENCH",
            "team_id": "TLOCAL",
            "response_url": response_url,
            "trigger_id": "t",
        }
    )
    timestamp = str(int(time.time()))
    headers = {
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(timestamp=timestamp, body=body)
        or "",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/slack/events", body.encode(), headers, method="POST"
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError:
        status = 0
    return status, time.perf_counter() - started


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def load_test(port: int, slack: LocalSlack, concurrency: int, text: str | None) -> None:
    results: list[tuple[int, float]] = [(0, 0.0)] * concurrency
    barrier = threading.Barrier(concurrency)

    def fire(n: int) -> None:
        barrier.wait()
        command = text or f"ask {QUESTIONS[n % len(QUESTIONS)]}"
        results[n] = slash_command(port, command, slack.response_url(f"b{n}"))

    threads = [threading.Thread(target=fire, args=(n,)) for n in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    acked = [latency for status, latency in results if status == 200]
    dropped = concurrency - len(acked)
    print(
        f"{concurrency} concurrent /ops ask: acks p50 {statistics.median(acked) * 1000:.0f} ms, "
        f"p99 {percentile(acked, 0.99) * 1000:.0f} ms, max {max(acked) * 1000:.0f} ms; "
        f"non-200: {dropped}"
    )
    if text is not None:
        return
    answered = slack.wait_for(lambda s: len(s.responses) >= concurrency, timeout=900)
    print(
        f"  all {len(slack.responses)}/{concurrency} answers delivered "
        f"in {time.perf_counter() - started:.1f}s" + ("" if answered else " (TIMED OUT)")
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--text", default=None, help="command text instead of the questions (e.g. help)")
    args = parser.parse_args()
    slack = LocalSlack()
    slack_url = slack.start()
    with tempfile.TemporaryDirectory() as home:
        port = free_port()
        process, first = start_server(Path(home), port, slack_url)
        print(f"start to /healthz 200, first run (indexes the playbook): {first:.1f}s")
        stop_server(process)
        process, warm = start_server(Path(home), port, slack_url)
        print(f"start to /healthz 200, warm: {warm:.1f}s")
        time.sleep(3)
        print(f"idle resident memory: {memory_report(process.pid)}")
        try:
            load_test(port, slack, args.concurrency, args.text)
            print(f"resident memory after the load: {memory_report(process.pid)}")
        finally:
            stop_server(process)
            slack.stop()


if __name__ == "__main__":
    main()
