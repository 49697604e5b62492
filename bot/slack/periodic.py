"""Background scans: the digest, renewal and weekly schedulers each run their `scan` every few
seconds on an APScheduler thread, one scan at a time, with missed runs merged into one. All of them
share one bot.slack.health.SlackHealth per Slack client, so a refused token pauses them together."""

from __future__ import annotations

from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from bot.slack.health import SlackHealth


class PeriodicScan:
    scan_seconds = 60
    health: SlackHealth | None = None
    _runner: BackgroundScheduler | None = None

    def slack_ready(self, now: datetime) -> bool:
        """False while Slack refuses the bot token: the scan is skipped, not retried per recipient."""
        return self.health is None or self.health.ready(now)

    def slack_paused(self) -> bool:
        """True once a delivery in this scan found the token refused: the rest of the scan stops."""
        return self.health is not None and self.health.paused

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
