"""A bounded pool for slow work, kept apart from request handling so acks never wait behind it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

log = logging.getLogger(__name__)


class JobRunner:
    """Runs work after the ack; logs failures (the job itself tells the user) and can be drained."""

    def __init__(self, workers: int) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="opsbot-job")
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, job: Callable[[], None], name: str) -> Future[None]:
        with self._idle:
            self._pending += 1
        future = self._executor.submit(self._run, job, name)
        return future

    def _run(self, job: Callable[[], None], name: str) -> None:
        try:
            job()
        except Exception:
            log.exception("job %s failed", name)
        finally:
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()

    def drain(self, timeout: float) -> bool:
        """Wait until no job is pending; True when that happened within `timeout` seconds."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=False)
