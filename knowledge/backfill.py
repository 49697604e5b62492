"""The vectors a slow embedder still owes (see `KnowledgeIndex.defer_slow`), computed in the
background of a long-running process, a few at a time and only while nobody is asking: documents
are findable the moment they are committed, ranked nearly as well once their long passages' first
tokens are read (see `knowledge.lead_vectors`), and their best ranking follows within minutes."""

from __future__ import annotations

import logging
import threading
import time

from knowledge.index import KnowledgeIndex

log = logging.getLogger(__name__)

BATCH = 4
"""Vectors per step. e5 embeds one passage at a time (about 0.1 s each) and lets a question's
vector in between, so a question arriving mid-step waits for one passage at most."""
QUIET_SECONDS = 1.0
"""No step starts until this long after the latest search."""
IDLE_SECONDS = 2.0
"""How often an index with nothing owed is looked at again (a set's size: nothing is read)."""
ERROR_PAUSE_SECONDS = 30.0


class Backfill:
    """One daemon thread per index that fills its pending vectors; `stop` ends it between steps."""

    def __init__(
        self, index: KnowledgeIndex, batch: int = BATCH, quiet_seconds: float = QUIET_SECONDS
    ) -> None:
        self._index = index
        self._batch = batch
        self._quiet_seconds = quiet_seconds
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="opsbot-vectors", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5.0)

    def _run(self) -> None:
        filled = 0
        while not self._stopped.is_set():
            if not self._index.pending:
                if filled:
                    log.info("ranking vectors complete: %d passages embedded in the background", filled)
                    filled = 0
                self._stopped.wait(IDLE_SECONDS)
                continue
            quiet = time.monotonic() - self._index.last_search
            if quiet < self._quiet_seconds:
                self._stopped.wait(self._quiet_seconds - quiet)
                continue
            try:
                filled += self._index.fill_pending(self._batch, leads_first=True)
            except Exception as error:  # a Chroma server away for a while: try again later
                log.warning("background vectors paused: %s", type(error).__name__)
                self._stopped.wait(ERROR_PAUSE_SECONDS)
