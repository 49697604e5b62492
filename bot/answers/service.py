"""Knowledge for the Slack side: the index opened once per process (in the background, so start-up
stays fast), and what the listeners need from it, in this process or in an answer process."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Protocol

from bot.core.config import Settings, SettingsError
from bot.core.llm import create_llm, create_remote_embedders
from knowledge.answer import Answer, Answerer, Draft, LLMCall
from knowledge.backfill import Backfill
from knowledge.chroma_server import ChromaUnreachable, check_server
from knowledge.conversation import Turn
from knowledge.embedders import Embedder, create_embedders
from knowledge.index import IndexProgress, KnowledgeIndex, SourceRecord
from knowledge.ingest import IngestReport, ingest_bytes
from knowledge.spelling import load_word_lists

log = logging.getLogger(__name__)

WARM_UP_QUESTIONS = ("How do I prepare a renewal?", "怎么准备续约?")
"""Answered once at start, without a model: the first person to ask does not wait for the word
segmenter, the script converters and the models' first call (about a second in all)."""


def check_chroma(settings: Settings) -> None:
    """With CHROMA_URL set, the server must answer; the error is one line naming the setting."""
    if settings.chroma_url is None:
        return
    try:
        check_server(settings.chroma_url)
    except ChromaUnreachable as error:
        raise SettingsError(f"Setting CHROMA_URL: {error}") from None


class KnowledgeService:
    """Opens the index (and indexes the playbook) once, in the background, so start-up stays fast."""

    def __init__(
        self,
        settings: Settings,
        embedders: Callable[[], list[Embedder]],
        llm: LLMCall | None,
        progress: IndexProgress | None = None,
        background_vectors: bool = False,
    ) -> None:
        self._settings = settings
        self._background_vectors = background_vectors
        self._backfill: Backfill | None = None
        self._progress = progress
        self._make_embedders = embedders
        self._llm = llm
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._answerer: Answerer | None = None
        self._error: BaseException | None = None

    def warm_up(self) -> Answerer:
        """Build the index and answer `WARM_UP_QUESTIONS` on first use; later calls return at once."""
        with self._lock:
            if self._answerer is None:
                try:
                    check_chroma(self._settings)  # before the models load, so a wrong URL fails fast
                    try:
                        index = KnowledgeIndex(
                            self._settings.home / "chroma",
                            self._make_embedders(),
                            chroma_url=self._settings.chroma_url,
                            defer_slow=self._background_vectors,
                        )
                    except ChromaUnreachable as error:
                        raise SettingsError(f"Setting CHROMA_URL: {error}") from None
                    index.sync_playbook(self._progress)
                    load_word_lists()
                    self._answerer = Answerer(index, llm=self._llm)
                    for question in WARM_UP_QUESTIONS:
                        self._answerer.prepare(question)
                    if self._background_vectors:
                        self._backfill = Backfill(index)
                        self._backfill.start()
                except BaseException as error:
                    self._error = error
                    raise
                finally:
                    self._ready.set()
            return self._answerer

    def start_warm_up(self) -> None:
        def run() -> None:
            try:
                self.warm_up()
            except Exception:
                log.exception("could not open the knowledge index")

        threading.Thread(target=run, name="opsbot-warm-up", daemon=True).start()

    @property
    def ready(self) -> bool:
        return self._ready.is_set() and self._error is None

    @property
    def answerer(self) -> Answerer:
        return self.warm_up()

    def answer(self, question: str, channel: str | None = None, earlier: Sequence[Turn] = ()) -> Answer:
        return self.answerer.answer(question, channel, earlier)

    def prepare(
        self, question: str, channel: str | None = None, earlier: Sequence[Turn] = ()
    ) -> Answer | Draft:
        return self.answerer.prepare(question, channel, earlier)

    def ingest(
        self, source: str, name: str, data: bytes, url: str | None = None, visibility: str = ""
    ) -> IngestReport:
        report = IngestReport()
        ingest_bytes(self.answerer.index, source, name, data, report, url, visibility)
        return report

    def sources(self) -> list[SourceRecord]:
        return self.answerer.index.source_records()

    def forget(self, source: str) -> int:
        return self.answerer.index.remove_source(source)

    def close(self) -> None:
        """The index lives as long as the process; only the background vectors stop."""
        if self._backfill is not None:
            self._backfill.stop()


class Answering(Protocol):
    """What the Slack side needs from knowledge: in this process or in an answer process."""

    @property
    def ready(self) -> bool: ...

    def start_warm_up(self) -> None: ...

    def answer(self, question: str, channel: str | None = None, earlier: Sequence[Turn] = ()) -> Answer:
        """`channel`: where it was asked; documents restricted to other channels are not cited.
        `earlier`: the conversation's previous turns, which a follow-up is resolved against."""
        ...

    def prepare(
        self, question: str, channel: str | None = None, earlier: Sequence[Turn] = ()
    ) -> Answer | Draft:
        """Search and gate only: the Draft a model writes from (it streams in the serving process),
        or the Answer when there is nothing for a model to do."""
        ...

    def ingest(
        self, source: str, name: str, data: bytes, url: str | None = None, visibility: str = ""
    ) -> IngestReport:
        """`visibility`: the private channel the document is restricted to ("" for everyone)."""
        ...

    def sources(self) -> list[SourceRecord]:
        """Every source with its `visibility`; Slack listings filter by channel."""
        ...

    def forget(self, source: str) -> int: ...

    def close(self) -> None: ...


def create_knowledge(
    settings: Settings,
    embedders: Callable[[], list[Embedder]] | None = None,
    llm: LLMCall | None = None,
    progress: IndexProgress | None = None,
    background_vectors: bool = False,
) -> KnowledgeService:
    """The in-process knowledge service from settings (tests inject embedders and the LLM; the
    command line a progress bar for the first indexing). `background_vectors`: for a process that
    keeps running (serving, the console): commits leave e5's vectors to a background thread."""
    return KnowledgeService(
        settings,
        embedders or (lambda: create_embedders(settings.embedder) + create_remote_embedders(settings)),
        llm if llm is not None else create_llm(settings),
        progress,
        background_vectors,
    )
