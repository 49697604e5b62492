"""A throwaway PostgreSQL (`.ci/postgres`) that a benchmark can take down and bring back, and a
Chroma server (`chroma run`)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _pg_bin() -> Path:
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: [int(x) for x in p.parent.name.split(".") if x.isdigit()],
    )
    if not found:
        raise SystemExit("PostgreSQL is not installed (`.ci/postgres start` installs it)")
    return found[-1]


@dataclass
class Postgres:
    """`.ci/postgres start DIR PORT`; `down()`/`up()` stop and restart the same server (connections
    are refused meanwhile), `freeze()`/`thaw()` stop its processes (connections hang meanwhile)."""

    directory: Path
    port: int
    url: str = ""

    def start(self) -> str:
        """Start the server (the `postgres` user must reach `directory`: its parents are opened for
        traversal) and return its admin URL."""
        for parent in self.directory.parents:
            if parent == Path("/tmp") or parent == parent.parent:
                break
            parent.chmod(parent.stat().st_mode | 0o011)
        done = subprocess.run(
            [str(ROOT / ".ci" / "postgres"), "start", str(self.directory), str(self.port)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise SystemExit(f".ci/postgres start failed: {(done.stderr or done.stdout).strip()[-500:]}")
        self.url = done.stdout.strip().splitlines()[-1]
        return self.url

    def stop(self) -> None:
        self.thaw()
        subprocess.run(
            [str(ROOT / ".ci" / "postgres"), "stop", str(self.directory)], check=False, capture_output=True
        )

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                str(_pg_bin() / "pg_ctl"),
                "-D",
                str(self.directory / "data"),
                *args,
            ],
            check=True,
            capture_output=True,
        )

    def down(self) -> None:
        """A clean, fast shutdown: open connections are closed, new ones refused."""
        self._pg_ctl("-m", "fast", "-w", "stop")

    def up(self) -> None:
        """Start the same server again, with the options `.ci/postgres` gave it."""
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.directory} -c fsync=off "
            "-c max_connections=200"
        )
        self._pg_ctl("-l", str(self.directory / "server.log"), "-w", "-o", options, "start")

    def _pids(self) -> list[int]:
        pid_file = self.directory / "data" / "postmaster.pid"
        try:
            postmaster = int(pid_file.read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return []
        children = Path(f"/proc/{postmaster}/task/{postmaster}/children")
        try:
            return [postmaster, *(int(pid) for pid in children.read_text().split())]
        except OSError:
            return [postmaster]

    def freeze(self) -> None:
        """SIGSTOP the server and its backends: like a network partition, connections hang."""
        for pid in self._pids():
            _signal(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for pid in self._pids():
            _signal(pid, signal.SIGCONT)


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


@dataclass
class ChromaServer:
    """`chroma run --path DIR --host 127.0.0.1 --port P`, waited for until its heartbeat answers."""

    directory: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120.0) -> str:
        chroma = Path(sys.executable).parent / "chroma"
        log = (self.directory.parent / "chroma-server.log").open("ab")
        self.process = subprocess.Popen(
            [
                str(chroma),
                "run",
                "--path",
                str(self.directory),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2) as response:
                    if response.status == 200:
                        return self.url
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if self.process.poll() is not None:
                raise SystemExit(f"chroma run exited with {self.process.returncode}")
            time.sleep(0.2)
        raise SystemExit("the Chroma server did not answer in time")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
