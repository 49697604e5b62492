"""Background scans: the digest, renewal and weekly schedulers each run their `scan` every few
seconds on an APScheduler thread, one scan at a time, with missed runs merged into one."""

from __future__ import annotations

from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler


class PeriodicScan:
    scan_seconds = 60
    _runner: BackgroundScheduler | None = None

    def scan(self, now: datetime | None = None) -> int:
        """Do what is due at `now` (a clock is passed in so tests can move it); how many were sent."""
        raise NotImplementedError

    def start(self) -> None:
        runner = BackgroundScheduler(timezone=UTC)
        runner.add_job(self.scan, "interval", seconds=self.scan_seconds, max_instances=1, coalesce=True)
        runner.start()
        self._runner = runner

    def shutdown(self) -> None:
        if self._runner is not None:
            self._runner.shutdown(wait=False)
