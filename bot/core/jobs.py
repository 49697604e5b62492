"""A bounded pool for slow work, kept apart from request handling so acks never wait behind it."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

log = logging.getLogger(__name__)


HOLD_SECONDS = 1.0
"""The longest a job waits for the requests being acknowledged: under a steady stream it starts anyway."""
QUIET_SECONDS = 0.05
"""A job starts once no request has been answered for this long: requests of a burst arrive closer
together, so its jobs wait until the whole burst is acknowledged."""


class JobRunner:
    """Runs work after the ack; logs failures (the job itself tells the user) and can be drained.

    Acks come first: a job waits (up to HOLD_SECONDS) until no request is being answered
    (`answering`) and none was for QUIET_SECONDS, since a running job holds the interpreter's lock
    and a burst of requests would otherwise queue behind the jobs of its first requests."""

    def __init__(self, workers: int) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="opsbot-job")
        self._pending = 0
        self._idle = threading.Condition()
        self._answering = 0
        self._answered_at = 0.0
        self._quiet = threading.Condition()

    @contextmanager
    def answering(self) -> Iterator[None]:
        """Around the handling of one request: jobs wait while any is."""
        with self._quiet:
            self._answering += 1
        try:
            yield
        finally:
            with self._quiet:
                self._answering -= 1
                self._answered_at = time.monotonic()
                if self._answering == 0:
                    self._quiet.notify_all()

    def submit(self, job: Callable[[], None], name: str) -> Future[None]:
        with self._idle:
            self._pending += 1
        future = self._executor.submit(self._run, job, name)
        return future

    def _wait_for_quiet(self) -> None:
        deadline = time.monotonic() + HOLD_SECONDS
        with self._quiet:
            while (now := time.monotonic()) < deadline:
                if self._answering > 0:
                    self._quiet.wait(deadline - now)  # woken when the last one is answered
                elif (quiet_for := now - self._answered_at) < QUIET_SECONDS:
                    self._quiet.wait(min(deadline - now, QUIET_SECONDS - quiet_for))
                else:
                    return

    def _run(self, job: Callable[[], None], name: str) -> None:
        self._wait_for_quiet()
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
