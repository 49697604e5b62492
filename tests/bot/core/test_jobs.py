"""The job pool lets acknowledgements go first."""

from __future__ import annotations

import threading
import time

from bot.core import jobs
from bot.core.jobs import JobRunner


def test_a_job_waits_until_the_requests_being_answered_are_done() -> None:
    runner = JobRunner(workers=2)
    started = threading.Event()
    try:
        with runner.answering():
            runner.submit(started.set, name="after the ack")
            assert not started.wait(0.2), "started while a request was being answered"
        assert started.wait(2.0)
    finally:
        runner.shutdown()


def test_a_steady_stream_of_requests_does_not_hold_a_job_back_for_ever(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(jobs, "HOLD_SECONDS", 0.3)
    runner = JobRunner(workers=1)
    started = threading.Event()
    stop = threading.Event()

    def requests() -> None:
        while not stop.is_set():
            with runner.answering():
                time.sleep(0.01)

    stream = threading.Thread(target=requests)
    stream.start()
    try:
        runner.submit(started.set, name="under load")
        assert started.wait(3.0), "never started under a steady stream"
    finally:
        stop.set()
        stream.join()
        runner.shutdown()
