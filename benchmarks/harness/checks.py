"""The PASS/FAIL lines of a benchmark's correctness checks, and its exit status."""

from __future__ import annotations

import time


class Checks:
    """Call it with each check; `summary` prints the total and gives the exit status (1 on a failure)."""

    def __init__(self) -> None:
        self.failed: list[str] = []

    def __call__(self, ok: bool, what: str) -> None:
        print(f"  {'PASS' if ok else 'FAIL'} {what}")
        if not ok:
            self.failed.append(what)

    def summary(self, began: float) -> int:
        """`began`: time.perf_counter() at the start of the run."""
        verdict = f"{len(self.failed)} check(s) FAILED" if self.failed else "all checks passed"
        print(f"total {time.perf_counter() - began:.0f} s; {verdict}")
        return 1 if self.failed else 0
