"""How long the commands a new user types first take, start to exit: the median of 5 runs each.

Usage: python benchmarks/cli_startup.py [--runs 5] [--python PATH]

First `ask` on an empty OPSBOT_HOME, once: a first start, which indexes the playbook (its vectors
ship with opsbot, so nothing is embedded) and creates the database. Then each command runs as
`python -m bot.cli.main …` on that home, which now holds its index and database. Targets: `--help`
≤ 0.3 s; `todo list` and `feedback list` ≤ 1 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness.checks import Checks

ROOT = Path(__file__).resolve().parent.parent
COMMANDS: list[tuple[str, list[str], float | None]] = [
    ("--help", ["--help"], 0.3),
    ("todo list", ["todo", "list", "--owner", "UBENCH"], 1.0),
    ("feedback list", ["feedback", "list"], 1.0),
    ("feedback add", ["feedback", "add", "导出按钮点了没反应"], None),
    ("ask", ["ask", "复盘分哪几步?"], None),
]


def _run(python: str, arguments: list[str], home: Path) -> float:
    environment = {**os.environ, "OPSBOT_HOME": str(home), "PYTHONPATH": str(ROOT)}
    environment.pop("SLACK_BOT_TOKEN", None)
    began = time.perf_counter()
    subprocess.run(
        [python, "-m", "bot.cli.main", *arguments],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--python", default=sys.executable, help="the interpreter of the install to measure")
    args = parser.parse_args()
    began = time.perf_counter()
    check = Checks()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        first = _run(args.python, ["ask", "复盘分哪几步?"], home)  # the index and database exist from here on
        print(f"ask on an empty home (a first start): {first:.2f}s")
        print(f"{'command':<15} {'median':>8} {'min':>8} {'max':>8}   ({args.runs} runs)")
        for name, arguments, target in COMMANDS:
            times = [_run(args.python, arguments, home) for _ in range(args.runs)]
            median = statistics.median(times)
            print(f"{name:<15} {median:>7.2f}s {min(times):>7.2f}s {max(times):>7.2f}s")
            if target is not None:
                check(median <= target, f"{name}: median {median:.2f} s ≤ {target} s")
    return check.summary(began)


if __name__ == "__main__":
    sys.exit(main())
