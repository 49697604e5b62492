"""Answering in a separate, lower-priority process, so acks never wait behind embedding work.

In one process, answer jobs hold the GIL (tokenizing, ranking) and both cores (the embedders'
thread pools), and 200 concurrent slash commands waited seconds for their acks
(benchmarks/serve_http.py). A child process at lower CPU priority leaves the serving process free
to ack at once; it is also the single owner of the embedded Chroma index.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from bot.core.config import Settings
from knowledge.answer import Answer, Draft
from knowledge.conversation import Turn
from knowledge.index import SourceRecord
from knowledge.ingest import IngestReport

T = TypeVar("T")

log = logging.getLogger(__name__)

CHILD_NICENESS = 10
PARENT_CHECK_SECONDS = 1.0
CLOSE_SECONDS = 5.0
_worker_knowledge = None  # the KnowledgeService of this process, when it is an answer worker


def _exit_with_parent(parent: int) -> None:
    """End this worker once the process that started it is gone, however it died (kill -9, the OOM
    killer, a supervisor's hard stop): the orphan is adopted by another process, so its parent id
    changes. A check each second rather than PR_SET_PDEATHSIG, which fires when the *thread* that
    started the child ends (the pool starts workers from whichever thread submits first), and
    rather than a pipe, which spawn would have to hand down."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _start_worker(settings: Settings) -> None:
    global _worker_knowledge
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), name="parent-watch", daemon=True).start()
    # Before the e5 engine loads its OpenMP runtime: idle OpenMP threads sleep instead of spinning.
    # Spinning threads of two answer processes (two serving processes on one machine) take the
    # cores from each other's work: answers were 3-5x slower (benchmarks/serve_http.py).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    with contextlib.suppress(OSError):
        os.nice(CHILD_NICENESS)
    from bot.answers.service import create_knowledge
    from bot.core.logs import configure_logging

    configure_logging(settings)
    _worker_knowledge = create_knowledge(settings, background_vectors=True)


def _warm_up() -> int:
    """Open the index and answer a question in each language (`KnowledgeService.warm_up`) before
    /healthz says ready, not when the first person asks; a warm start that finds the index up to
    date would otherwise load nothing."""
    assert _worker_knowledge is not None
    return len(_worker_knowledge.warm_up().index)


def _answer(question: str, channel: str | None, earlier: Sequence[Turn]) -> Answer:
    assert _worker_knowledge is not None
    return _worker_knowledge.answer(question, channel, earlier)


def _prepare(question: str, channel: str | None, earlier: Sequence[Turn]) -> Answer | Draft:
    assert _worker_knowledge is not None
    return _worker_knowledge.prepare(question, channel, earlier)


def _ingest(source: str, name: str, data: bytes, url: str | None, visibility: str) -> IngestReport:
    assert _worker_knowledge is not None
    return _worker_knowledge.ingest(source, name, data, url, visibility)


def _sources() -> list[SourceRecord]:
    assert _worker_knowledge is not None
    return _worker_knowledge.sources()


def _forget(source: str) -> int:
    assert _worker_knowledge is not None
    return _worker_knowledge.forget(source)


class AnswerProcess:
    """The knowledge service's interface (`ready`, `answer`, `ingest` …), served by child processes.

    With more than one process and the embedded index, a document added in Slack is searched by the
    process that indexed it at once and by the others after a restart. With a Chroma server
    (CHROMA_URL), every process finds it at its next search.
    """

    def __init__(self, settings: Settings, processes: int = 1, timeout_seconds: float = 300.0) -> None:
        self._settings = settings
        self._processes = processes
        self._timeout = timeout_seconds
        self._lock = threading.Lock()
        self._pool = self._new_pool()
        self._warm: Future[int] | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self._processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(self._settings,),
        )

    def start_warm_up(self) -> None:
        with self._lock:
            self._warm = self._pool.submit(_warm_up)

    @property
    def ready(self) -> bool:
        warm = self._warm
        return warm is not None and warm.done() and warm.exception() is None

    def answer(self, question: str, channel: str | None = None, earlier: Sequence[Turn] = ()) -> Answer:
        """Raises on failure (the caller tells the user); a crashed child is replaced for next time.
        The channel and the conversation cross with the question: the child filters by the one and
        resolves follow-ups with the other."""
        return self._run(_answer, question, channel, tuple(earlier))

    def prepare(
        self, question: str, channel: str | None = None, earlier: Sequence[Turn] = ()
    ) -> Answer | Draft:
        return self._run(_prepare, question, channel, tuple(earlier))

    def ingest(
        self, source: str, name: str, data: bytes, url: str | None = None, visibility: str = ""
    ) -> IngestReport:
        """Documents are written by the process that owns the index."""
        return self._run(_ingest, source, name, data, url, visibility)

    def sources(self) -> list[SourceRecord]:
        return self._run(_sources)

    def forget(self, source: str) -> int:
        return self._run(_forget, source)

    def _run(self, function: Callable[..., T], *args: object) -> T:
        with self._lock:
            pool = self._pool
        try:
            return pool.submit(function, *args).result(timeout=self._timeout)
        except BrokenProcessPool:
            log.error("the answer process died; starting a new one")
            with self._lock:
                if self._pool is pool:
                    self._pool = self._new_pool()
                    self._warm = self._pool.submit(_warm_up)
            raise

    def close(self) -> None:
        """Stop the answer processes: queued work is cancelled, and the pool gets up to
        CLOSE_SECONDS to wind down. Python 3.11's exit hook writes to the pool's wake-up pipe; if
        the pool is still closing that pipe when the interpreter exits, a stop ends in a traceback."""
        manager = getattr(self._pool, "_executor_manager_thread", None)  # shutdown forgets it
        self._pool.shutdown(wait=False, cancel_futures=True)
        if manager is not None:
            manager.join(timeout=CLOSE_SECONDS)
