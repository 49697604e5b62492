"""PostgreSQL unavailable for a minute under a running `opsbot serve --http`: what do people get back,
is anything half-written, and do the digests due meanwhile go out once the database is back?

A throwaway PostgreSQL (`.ci/postgres`) backs one `opsbot serve --http` process. Before, during and
after the outage, slash commands and events arrive every few seconds (`/ops feedback …`,
`/ops todo add …`, `/ops todo`, `/ops digest`, an app_mention question, `/ops ask …`). Every reply
is recorded (the ack's text and what later reached the response_url or the thread) and counted by
kind: a clear "try again", an error that does not say so, no reply at all, or an HTTP error or a
late ack (Slack shows the person its own error). Events refused during the outage are delivered
again after it, as Slack does. Owners due before the outage get their digest at once; owners whose
digest time falls inside the outage must get theirs after the database is back, exactly once.

`--mode stop` shuts the server down (connections are refused); `--mode freeze` stops its processes
(SIGSTOP), as a network partition would: connections hang instead of failing.

Usage: python benchmarks/database_outage.py [--mode stop|freeze] [--outage-seconds 60]
       [--every 4] [--owners 40]
Needs root (the server runs as the `postgres` user). Prints PASS/FAIL for the no-loss,
no-double and nothing-half-written checks; exits 1 when one fails.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from harness.checks import Checks
from harness.databases import Postgres
from harness.serving import Server, ack_text, app_mention, free_port, message_text, opsbot_env, slash_command
from sqlalchemy import func, select

from bot.local.slack_api import LocalSlack
from bot.storage.delivery_log import Delivery
from bot.storage.engine import create_db_engine
from bot.storage.feedback import FeedbackItem
from bot.storage.owners import Owner, Todo

KINDS = ("feedback", "todo add", "todo list", "digest", "mention", "ask")
SLACK_ACK_SECONDS = 3.0
LATE_REPLY_SECONDS = 10.0
TRY_AGAIN = re.compile(r"try again|稍后再试|请稍后", re.IGNORECASE)
FAILURE = re.compile(
    r"sorry|went wrong|did not work|could not|failed|error|抱歉|失败|出了问题", re.IGNORECASE
)
PLACEHOLDER = re.compile(r"hourglass|one moment|稍等|working on it|正在", re.IGNORECASE)

check = Checks()


@dataclass
class Request:
    number: int
    kind: str
    phase: str
    sent_at: float
    ts: str = ""
    """The event's ts (a redelivery repeats it)."""
    status: int = -1
    ack: str = ""
    ack_seconds: float = 0.0
    replies: list[str] = field(default_factory=list)
    replied_at: list[float] = field(default_factory=list)
    """When each reply reached Slack (time.monotonic)."""
    redelivered: int | None = None
    """For an event refused during the outage: the status of Slack's redelivery after it."""

    @property
    def name(self) -> str:
        return f"r{self.number}"

    @property
    def user(self) -> str:
        return f"UO{self.number:04d}"

    @property
    def channel(self) -> str:
        return f"CO{self.number:04d}"

    @property
    def code(self) -> str:
        return f"outage-{self.number:04d}"

    def text(self) -> str:
        return {
            "feedback": f"feedback Export to Excel fails with error 500 for us ({self.code})",
            "todo add": f"todo add call the client back {self.code}",
            "todo list": "todo",
            "digest": "digest",
            "ask": "ask what is RFM?",
        }.get(self.kind, "what is RFM?")

    def final(self) -> str:
        """What the person sees in the end: the last reply, else the ack."""
        return self.replies[-1] if self.replies else self.ack

    def outcome(self) -> str:
        if self.status != 200:
            status = f"HTTP {self.status}" if self.status else "no HTTP answer in 10 s"
            if self.kind == "mention" and self.redelivered == 200 and self.succeeded():
                return f"{status}, answered once Slack redelivered it after the outage"
            if self.kind == "mention":
                return f"{status} (Slack redelivers the event later)"
            return f"{status} (Slack shows the person its own error)"
        late = self.ack_seconds > SLACK_ACK_SECONDS and self.kind != "mention"
        prefix = "late ack (Slack shows operation_timeout), then " if late else ""
        text = self.final()
        if self.succeeded():
            slow = self.replied_at and self.replied_at[-1] - self.sent_at > LATE_REPLY_SECONDS
            return prefix + ("done, but the reply came more than 10 s late" if slow else "done")
        if TRY_AGAIN.search(text):
            return prefix + "a clear try-again reply"
        if FAILURE.search(text):
            return prefix + "an error reply that does not say to try again"
        if PLACEHOLDER.search(text) or not text:
            return prefix + "no reply beyond the placeholder"
        return prefix + "something else"

    def succeeded(self) -> bool:
        """Whether the person got what they asked for (the texts opsbot replies with on success)."""
        text = self.final()
        if self.kind == "feedback":
            return self.code in text and ("Filed as" in text or "Already filed" in text)
        if self.kind == "todo add":
            return self.code in text and "Your to-dos" in text
        if self.kind == "todo list":
            return "Your to-dos" in text or "Nothing on your list" in text
        if self.kind == "digest":
            return "Your morning digest" in text
        return bool(self.replies) and "RFM" in text and not FAILURE.search(text.split("|")[0])


class Traffic:
    """Sends the requests on their own threads (one that hangs does not hold the others back)."""

    def __init__(self, server: Server, slack: LocalSlack) -> None:
        self.server = server
        self.slack = slack
        self.requests: list[Request] = []
        self.threads: list[threading.Thread] = []
        self.began = time.monotonic()

    def send(self, kind: str, phase: str) -> Request:
        request = Request(
            len(self.requests), kind, phase, time.monotonic(), f"{int(time.time())}.{len(self.requests):06d}"
        )
        self.requests.append(request)
        thread = threading.Thread(target=self._send, args=(request,), daemon=True)
        thread.start()
        self.threads.append(thread)
        return request

    def _send(self, request: Request, retry: int | None = None) -> int:
        port = self.server.port
        if request.kind == "mention":
            status, body, seconds = app_mention(
                port,
                request.text(),
                request.channel,
                request.ts,
                f"EvO{request.number:04d}",
                user=request.user,
                timeout=10,
                retry=retry,
            )
        else:
            status, body, seconds = slash_command(
                port,
                request.text(),
                self.slack.response_url(request.name),
                user=request.user,
                channel=request.channel,
                trigger_id=f"to{request.number}",
                timeout=10,
            )
        if retry is None:
            request.status, request.ack, request.ack_seconds = status, ack_text(body), seconds
        return status

    def redeliver_refused_events(self) -> None:
        """Slack redelivers an event that got no 200 (after 1 minute, then 5): once here."""
        for request in self.requests:
            if request.kind == "mention" and request.status != 200:
                request.redelivered = self._send(request, retry=1)

    def wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def collect_replies(self) -> None:
        with self.slack._lock:
            calls = list(self.slack.calls)
        by_name: dict[str, list[tuple[float, str]]] = defaultdict(list)
        for call in calls:
            if call.method.startswith("respond/"):
                by_name[call.method.removeprefix("respond/")].append((call.at, message_text(call.params)))
            elif call.method in ("chat.postMessage", "chat.update") and str(
                call.params.get("channel", "")
            ).startswith("CO"):
                by_name[str(call.params["channel"])].append((call.at, message_text(call.params)))
        for request in self.requests:
            found = by_name.get(request.channel if request.kind == "mention" else request.name, [])
            request.replies = [text for _, text in found]
            request.replied_at = [at for at, _ in found]

    @staticmethod
    def expects_reply(request: Request) -> bool:
        """A reply after the ack is due: the request (or Slack's redelivery of it) was acked; a
        feedback's card comes with the ack itself."""
        acked = request.status == 200 or request.redelivered == 200
        return acked and request.kind != "feedback"

    def answered(self, request: Request) -> bool:
        methods = ("chat.update",) if request.kind == "mention" else (f"respond/{request.name}",)
        with self.slack._lock:
            return any(
                call.method in methods
                and (request.kind != "mention" or call.params.get("channel") == request.channel)
                for call in self.slack.calls
            )


def seconds_until(moment: datetime) -> float:
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def add_owners(engine: Any, prefix: str, count: int, digest_at: str) -> list[str]:
    users = [f"{prefix}{n:04d}" for n in range(count)]
    with engine.begin() as connection:  # set-up, not the code under test
        connection.execute(
            Owner.__table__.insert(),
            [
                {
                    "user": user,
                    "tz": "UTC",
                    "tz_overridden": False,
                    "digest_at": digest_at,
                    "working_days": "0,1,2,3,4,5,6",
                    "metrics": "",
                    "paused": False,
                    "created_at": datetime.now(UTC),
                }
                for user in users
            ],
        )
    return users


def digests_to(slack: LocalSlack, users: list[str]) -> Counter[str]:
    wanted = set(users)
    return Counter(
        str(call.params["channel"])
        for call in slack.calls_to("chat.postMessage")
        if call.status == 200 and call.params.get("channel") in wanted
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mode", choices=("stop", "freeze"), default="stop")
    parser.add_argument("--outage-seconds", type=float, default=60.0)
    parser.add_argument("--every", type=float, default=4.0, help="seconds between requests in the outage")
    parser.add_argument(
        "--owners", type=int, default=40, help="owners due before, and again during, the outage"
    )
    args = parser.parse_args()
    began = time.perf_counter()
    slack = LocalSlack()
    slack_url = slack.start()
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        postgres = Postgres(root / "pg", free_port())
        server: Server | None = None
        try:
            url = postgres.start()
            engine = create_db_engine(url)
            before = add_owners(
                engine, "UA", args.owners, (datetime.now(UTC) - timedelta(minutes=2)).strftime("%H:%M")
            )
            server = Server(
                free_port(), opsbot_env(root / "home", slack_url, url, log_level="INFO"), root / "serve.log"
            )
            print(f"opsbot serve --http on PostgreSQL: healthy after {server.start():.0f} s")
            traffic = Traffic(server, slack)
            for kind in KINDS:
                traffic.send(kind, "before")
            if not slack.wait_for(lambda s: len(digests_to(s, before)) >= args.owners, timeout=180):
                print("  (the digests due before the outage were not all out within 3 minutes)")
            now = datetime.now(UTC)
            boundary = (now + timedelta(seconds=30)).replace(second=0, microsecond=0) + timedelta(minutes=1)
            outage_start = boundary - timedelta(seconds=15)
            during_due = add_owners(engine, "UB", args.owners, boundary.strftime("%H:%M"))
            engine.dispose()
            print(
                f"{len(digests_to(slack, before))}/{args.owners} digests due before the outage delivered; "
                f"{args.owners} more owners are due at {boundary:%H:%M} UTC, 15 s into the outage"
            )
            time.sleep(seconds_until(outage_start))
            log_mark = len(server.log_lines())
            down_at = time.monotonic()
            if args.mode == "stop":
                postgres.down()
            else:
                postgres.freeze()
            print(
                f"PostgreSQL {'stopped' if args.mode == 'stop' else 'frozen (SIGSTOP)'} for {args.outage_seconds:.0f} s"
            )
            health = None
            number = 0
            while time.monotonic() - down_at < args.outage_seconds:
                traffic.send(KINDS[number % len(KINDS)], "during")
                number += 1
                if health is None and time.monotonic() - down_at > args.outage_seconds / 2:
                    health = server.healthy()
                time.sleep(args.every)
            if args.mode == "stop":
                postgres.up()
            else:
                postgres.thaw()
            up_at = time.monotonic()
            print(
                f"PostgreSQL back after {up_at - down_at:.0f} s; /healthz during the outage said {'200' if health else 'not 200'}"
            )
            during_log = server.log_lines()[log_mark:]
            delivered = slack.wait_for(lambda s: len(digests_to(s, during_due)) >= args.owners, timeout=180)
            recovered = time.monotonic()
            traffic.redeliver_refused_events()
            for kind in KINDS:
                traffic.send(kind, "after")
            traffic.wait(timeout=60)
            deadline = time.monotonic() + 180  # the jobs held up by the outage drain first
            while time.monotonic() < deadline and not all(
                traffic.answered(r) for r in traffic.requests if traffic.expects_reply(r)
            ):
                time.sleep(1.0)
            time.sleep(3.0)
            traffic.collect_replies()
            print()
            print(
                "every request (seconds from the start of the outage; ack; what the person saw in the end):"
            )
            for request in traffic.requests:
                when = f"{request.sent_at - down_at:+6.0f}s"
                redelivery = (
                    "" if request.redelivered is None else f"; redelivered after: HTTP {request.redelivered}"
                )
                replied = (
                    f"; last reply {request.replied_at[-1] - request.sent_at:.1f} s after the request"
                    if request.replied_at
                    else ""
                )
                print(
                    f"  {when} {request.phase:<6} {request.kind:<9} HTTP {request.status} in {request.ack_seconds:.2f} s"
                    f"{redelivery}{replied} -> {request.outcome()}: {request.final()[:150]!r}"
                )
            print()
            print("outcomes by kind during the outage:")
            table: dict[str, Counter[str]] = defaultdict(Counter)
            for request in traffic.requests:
                if request.phase == "during":
                    table[request.kind][request.outcome()] += 1
            for kind in KINDS:
                print(f"  {kind:<9} " + "; ".join(f"{n} × {what}" for what, n in table[kind].most_common()))
            texts = Counter(
                re.sub(r"\(reference: \w+\)|编号:\w+", "(reference: …)", r.final())
                for r in traffic.requests
                if r.phase == "during" and not r.succeeded()
            )
            print("reply texts during the outage (references elided):")
            for text, n in texts.most_common():
                print(f"  {n} × {text[:220]!r}")
            errors = [line for line in during_log if " ERROR " in line]
            print(
                f"log during the outage: {len(errors)} ERROR lines, "
                f"{sum(1 for line in during_log if line.startswith('Traceback'))} tracebacks"
            )
            kinds = Counter(
                re.sub(r"reference \w+|\(error: .*|\bU[A-Z0-9]{4,}\b", "…", line.split(" ERROR ", 1)[1])[:150]
                for line in errors
            )
            for text, n in kinds.most_common(10):
                print(f"  {n} × {text}")
            print()
            counts_before = digests_to(slack, before)
            counts_during = digests_to(slack, during_due)
            print(
                f"digests due during the outage: {len(counts_during)}/{args.owners} delivered "
                f"{recovered - up_at:.0f} s after the database came back"
                + ("" if delivered else " (TIMED OUT)")
            )
            check(
                all(counts_before[u] == 1 for u in before),
                "every digest due before the outage sent exactly once",
            )
            check(
                all(counts_during[u] == 1 for u in during_due),
                "every digest due during the outage sent exactly once after it "
                f"({sum(1 for u in during_due if counts_during[u] == 0)} lost, "
                f"{sum(1 for u in during_due if counts_during[u] > 1)} doubled)",
            )
            half_written(url, traffic)
            after = [r for r in traffic.requests if r.phase == "after"]
            check(all(r.succeeded() for r in after), "every request after the outage succeeds")
            refused = [r for r in traffic.requests if r.redelivered is not None]
            check(
                all(r.redelivered == 200 for r in refused) and all(len(r.replies) <= 2 for r in refused),
                f"events refused during the outage are answered once when Slack redelivers them ({len(refused)})",
            )
            unclear = [
                r
                for r in traffic.requests
                if r.phase == "during" and not r.succeeded() and "try-again" not in r.outcome()
            ]
            print(
                f"  {'PASS' if not unclear else 'NOTE'} every failed request during the outage got a clear try-again "
                f"reply ({len(unclear)} did not: {', '.join(sorted({r.kind for r in unclear})) or '-'})"
            )
        finally:
            if server is not None:
                server.stop()
            postgres.stop()
            slack.stop()
    return check.summary(began)


def half_written(url: str, traffic: Traffic) -> None:
    """What the database holds after recovery agrees with what each person was told."""
    engine = create_db_engine(url)
    with engine.connect() as connection:
        feedback = Counter(
            text
            for (text,) in connection.execute(
                select(FeedbackItem.text).where(FeedbackItem.text.contains("outage-"))
            )
        )
        todos = Counter(
            text for (text,) in connection.execute(select(Todo.text).where(Todo.text.contains("outage-")))
        )
        sending = connection.execute(
            select(func.count()).select_from(Delivery).where(Delivery.status == "sending")
        ).scalar()
    engine.dispose()
    contradictions: list[str] = []
    for request in traffic.requests:
        if request.kind == "feedback":
            stored = sum(n for text, n in feedback.items() if request.code in text)
            told = " ".join([request.ack, *request.replies])
            said_saved = request.succeeded() or "Filed as" in told or "is filed" in told
            if stored > 1 or stored != int(said_saved):
                contradictions.append(
                    f"{request.kind} {request.code}: {stored} row(s), told {request.outcome()}"
                )
        elif request.kind == "todo add":
            stored = sum(n for text, n in todos.items() if request.code in text)
            if stored > 1 or stored != int(request.succeeded()):
                contradictions.append(
                    f"{request.kind} {request.code}: {stored} row(s), told {request.outcome()}"
                )
    for line in contradictions:
        print(f"    {line}")
    check(
        not contradictions,
        f"nothing half-written: the rows agree with every reply ({len(contradictions)} do not)",
    )
    check(sending == 0, f"no digest claim left `sending` ({sending})")


if __name__ == "__main__":
    sys.exit(main())
