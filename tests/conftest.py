"""Shared fixtures: one real playbook index per test session, fresh storage per test.

CI also runs some suites against real servers, named by two variables:
- OPSBOT_TEST_DATABASE_URL (PostgreSQL): each test gets a database of its own there (DATABASE_URL).
- OPSBOT_TEST_CHROMA_URL (`chroma run`): each test's settings name it as CHROMA_URL, and each test
  starts on an empty server, or, when it uses the `knowledge` fixture, on exactly the shipped
  playbook as indexed there once per session; so no test sees another's documents or manifest.
  With pytest-xdist, give one server per worker (comma-separated URLs): a worker empties its own.
And OPSBOT_TEST_EMBEDDING_CACHE, a directory: the passage vectors of the real embedders are kept
there and shared by every test process using it (xdist workers, CI's later stages), so the playbook
is embedded once per CI run instead of once per process.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import chromadb
import numpy as np
import pytest
from chromadb.api import ClientAPI
from chromadb.config import Settings as ChromaSettings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.answers.service import KnowledgeService
from bot.core.config import Settings
from bot.core.jobs import JobRunner
from bot.feedback.service import FeedbackService
from bot.services import Services
from bot.storage.answer_log import AnswerLog
from bot.storage.engine import EventLedger, create_db_engine, sqlite_url
from bot.storage.feedback import FeedbackStore
from bot.storage.owners import OwnerStore, TodoStore
from bot.storage.threads import ThreadStore
from knowledge.embedders import Embedder, Vectors, create_embedders, leading_part
from knowledge.index import KnowledgeIndex
from skills.feedback_classifier import FeedbackClassifier

if os.environ.get("PYTEST_XDIST_WORKER"):
    # One OpenMP thread per test process (e5's engine reads this when it loads): two workers with
    # a pool each on two cores spin against each other, and a search got ten times slower.
    os.environ.setdefault("OMP_NUM_THREADS", "1")

POSTGRES_ADMIN_URL = os.environ.get("OPSBOT_TEST_DATABASE_URL")
"""A PostgreSQL server (CI starts one): set, every test gets a database of its own there, named by
DATABASE_URL, instead of SQLite in its temp folder."""


def _chroma_test_url() -> str | None:
    """This process's test Chroma server: OPSBOT_TEST_CHROMA_URL holds one URL, or one per xdist
    worker (worker gwN takes the N-th), since each test empties the server it used."""
    urls = [url.strip() for url in os.environ.get("OPSBOT_TEST_CHROMA_URL", "").split(",") if url.strip()]
    if not urls:
        return None
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    if worker >= len(urls):
        raise pytest.UsageError(
            f"OPSBOT_TEST_CHROMA_URL names {len(urls)} server(s); xdist worker gw{worker} needs its own"
        )
    return urls[worker]


CHROMA_TEST_URL = _chroma_test_url()
"""A Chroma server (CI starts one with `.ci/chroma`): set, every test's CHROMA_URL names it, instead
of the embedded store in its OPSBOT_HOME; the server is emptied after each test."""
EMBEDDING_CACHE = os.environ.get("OPSBOT_TEST_EMBEDDING_CACHE") or None
SIGNING_SECRET = "test-signing-secret-0123456789"
BOT_TOKEN = "xoxb-test-token-0000"


def db_url_for(home: Path) -> str:
    """The database a test uses: the test's PostgreSQL database, else SQLite in `home`."""
    return os.environ.get("DATABASE_URL") or sqlite_url(home)


@pytest.fixture(autouse=True)
def _postgres_database(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """With OPSBOT_TEST_DATABASE_URL, a fresh PostgreSQL database per test, dropped afterwards."""
    if not POSTGRES_ADMIN_URL:
        monkeypatch.delenv("DATABASE_URL", raising=False)
        yield
        return
    name = f"opsbot_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    try:
        yield
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@cache
def chroma_admin(url: str) -> ClientAPI:
    """The tests' own client of a test Chroma server; the server is emptied when it is first made,
    so leftovers of an earlier run cannot leak into this one."""
    client = chromadb.HttpClient(
        host=url, settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    )
    empty_chroma(client)
    return client


def empty_chroma(client: ClientAPI) -> None:
    """Delete every collection (the chunks of each embedder and the `sources` manifest): opsbot
    keeps nothing else on the server, so the next index opened there starts from nothing."""
    for collection in client.list_collections():
        client.delete_collection(collection.name)


@dataclass(frozen=True)
class CollectionCopy:
    """One collection as read back from the server: its settings and every record."""

    name: str
    metadata: dict[str, Any] | None
    ids: list[str]
    embeddings: Any
    metadatas: list[Any]
    documents: list[str] | None


@dataclass(frozen=True)
class ChromaSnapshot:
    """What a Chroma server held at one moment, written back after the server was emptied: much
    cheaper than indexing again (no embedding, a few requests instead of several per source)."""

    collections: tuple[CollectionCopy, ...]

    @classmethod
    def take(cls, client: ClientAPI) -> ChromaSnapshot:
        copies = []
        for collection in client.list_collections():
            page = collection.get(include=["embeddings", "metadatas", "documents"])
            documents = page["documents"] or []
            copies.append(
                CollectionCopy(
                    collection.name,
                    collection.metadata,
                    list(page["ids"]),
                    page["embeddings"],
                    list(page["metadatas"] or []),
                    list(documents) if documents and all(d is not None for d in documents) else None,
                )
            )
        return cls(tuple(copies))

    def same_as(self, other: ChromaSnapshot) -> bool:
        """The same collections holding the same records (ids, metadata, text and vectors)."""
        mine, theirs = _by_name(self), _by_name(other)
        return mine.keys() == theirs.keys() and all(_same_records(mine[name], theirs[name]) for name in mine)

    def restore(self, client: ClientAPI) -> None:
        """Empty the server, then write every collection back as it was taken."""
        empty_chroma(client)
        batch = client.get_max_batch_size()
        for copy in self.collections:
            collection = client.create_collection(copy.name, metadata=copy.metadata, embedding_function=None)
            for start in range(0, len(copy.ids), batch):
                end = start + batch
                collection.add(
                    ids=copy.ids[start:end],
                    embeddings=copy.embeddings[start:end],
                    metadatas=copy.metadatas[start:end] or None,
                    documents=copy.documents[start:end] if copy.documents is not None else None,
                )


def _by_name(snapshot: ChromaSnapshot) -> dict[str, CollectionCopy]:
    return {copy.name: copy for copy in snapshot.collections}


def _same_records(first: CollectionCopy, second: CollectionCopy) -> bool:
    if first.metadata != second.metadata or sorted(first.ids) != sorted(second.ids):
        return False
    order = {record_id: row for row, record_id in enumerate(second.ids)}
    rows = [order[record_id] for record_id in first.ids]
    documents = second.documents
    return (
        first.metadatas == [second.metadatas[row] for row in rows]
        and (first.documents is None) == (documents is None)
        and (documents is None or first.documents == [documents[row] for row in rows])
        and np.array_equal(np.asarray(first.embeddings), np.asarray(second.embeddings)[rows])
    )


@dataclass
class ServerUse:
    """How many times this test process emptied its test Chroma server: an index opened before the
    last time holds collections that are gone."""

    generation: int = 0


SERVER_USE = ServerUse()


@pytest.fixture(autouse=True)
def _chroma_server(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """With OPSBOT_TEST_CHROMA_URL, CHROMA_URL names that server during the test (every Settings
    built from the environment picks it up, child processes too). A test starts on an empty server,
    unless it uses `knowledge`, which puts the playbook there (see `ServerPlaybook.open`)."""
    if not CHROMA_TEST_URL:
        monkeypatch.delenv("CHROMA_URL", raising=False)
        yield
        return
    client = chroma_admin(CHROMA_TEST_URL)
    monkeypatch.setenv("CHROMA_URL", CHROMA_TEST_URL)
    if "knowledge" not in request.fixturenames:
        empty_chroma(client)
        SERVER_USE.generation += 1
    yield


def make_settings(home: Path, **values: object) -> Settings:
    """Settings that ignore the developer's environment and `.env`."""
    base: dict[str, object] = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "OPSBOT_HOME": str(home),
    }
    base.update(values)
    return Settings(_env_file=None, **base)  # type: ignore[call-arg]


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No Slack or LLM settings from the developer's shell, and no `.env` from the working directory."""
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def playbook_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("opsbot-home")


def _knowledge_scope(fixture_name: str, config: pytest.Config) -> Literal["session", "function"]:
    """The embedded index lives for the session; on a test Chroma server, each test gets the
    playbook's index through `ServerPlaybook.open`."""
    return "function" if CHROMA_TEST_URL else "session"


@pytest.fixture(scope=_knowledge_scope)
def knowledge(playbook_home: Path, request: pytest.FixtureRequest) -> KnowledgeService:
    """The shipped playbook indexed with the default embedders: once per session in OPSBOT_HOME,
    or on the test Chroma server (indexed there once, put back whenever a test changed it)."""
    if not CHROMA_TEST_URL:
        service = KnowledgeService(make_settings(playbook_home), embedders=_default_embedders, llm=None)
        service.warm_up()
        return service
    playbook: ServerPlaybook = request.getfixturevalue("_server_playbook")
    return playbook.open(chroma_admin(CHROMA_TEST_URL))


class ServerPlaybook:
    """The playbook as indexed on the test Chroma server (a snapshot of the server right after),
    and the embedders that indexed it, loaded once for every index opened on it."""

    def __init__(self, home: Path, snapshot: ChromaSnapshot, embedders: list[Embedder]) -> None:
        self.settings = make_settings(home, CHROMA_URL=CHROMA_TEST_URL)
        self.snapshot = snapshot
        self.embedders = embedders
        self._service: KnowledgeService | None = None
        self._generation = -1
        self._written = snapshot

    def open(self, client: ClientAPI) -> KnowledgeService:
        """The index of a test that uses `knowledge`. When the server holds exactly what it held
        once the snapshot was last written back (every record compared: the previous test used
        the playbook and wrote nothing, not even a commit, which rewrites the manifest's revision
        record), that test's index goes on; otherwise the snapshot is written back and a new index
        opens it, as another opsbot process would. Writing back costs the server far more than
        the comparison."""
        unchanged = (
            self._service is not None
            and SERVER_USE.generation == self._generation
            and self._written.same_as(ChromaSnapshot.take(client))
        )
        if self._service is None or not unchanged:
            self.snapshot.restore(client)
            SERVER_USE.generation += 1
            self._generation = SERVER_USE.generation
            self._written = ChromaSnapshot.take(client)  # vectors come back rounded a little
            self._service = KnowledgeService(self.settings, embedders=lambda: self.embedders, llm=None)
            self._service.warm_up()  # the playbook sync finds every file unchanged
        return self._service


@pytest.fixture(scope=_knowledge_scope)
def quiet_playbook_home(knowledge: KnowledgeService, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home whose index holds the shipped playbook and to which no test writes: copy it to give a
    test an index of its own. A copy of the session's index would depend on what other tests wrote
    there before, or were writing (background vectors) while it was copied."""
    home = tmp_path_factory.mktemp("quiet-home")
    KnowledgeIndex(home / "chroma", knowledge.answerer.index.embedders).sync_playbook()
    return home


@pytest.fixture(scope="session")
def _server_playbook(playbook_home: Path) -> ServerPlaybook:
    """Index the playbook on the test Chroma server with opsbot's own code, then keep a copy."""
    assert CHROMA_TEST_URL
    client = chroma_admin(CHROMA_TEST_URL)
    empty_chroma(client)
    embedders = _default_embedders()
    service = KnowledgeService(
        make_settings(playbook_home, CHROMA_URL=CHROMA_TEST_URL), embedders=lambda: embedders, llm=None
    )
    service.warm_up()
    playbook = ServerPlaybook(playbook_home, ChromaSnapshot.take(client), embedders)
    SERVER_USE.generation += 1  # that first index is not handed out: each test's opens afresh
    return playbook


def _default_embedders() -> list[Embedder]:
    """The default embedders; with OPSBOT_TEST_EMBEDDING_CACHE, their passage vectors are shared."""
    embedders = create_embedders(Settings.model_fields["embedder"].default)
    if EMBEDDING_CACHE is None:
        return embedders
    return [SharedVectors(embedder, Path(EMBEDDING_CACHE)) for embedder in embedders]


class SharedVectors:
    """A real embedder whose passage vectors are kept in a directory that several test processes
    share: each text is embedded by the first process that needs it, the others read the vectors.

    One file per embedder (`<name>.npz`: text digests and vectors), read and rewritten under an
    exclusive lock, so a process waits while another embeds and then finds the vectors. Queries are
    always embedded: only passages, embedded again and again at each index build, are kept.
    """

    def __init__(self, base: Embedder, directory: Path) -> None:
        self.base = base
        self.name = base.name
        self.dimension = base.dimension
        self.relevance = base.relevance
        self.kind = base.kind
        directory.mkdir(parents=True, exist_ok=True)
        self._path = directory / f"{base.name}.npz"
        self._lock_path = directory / f"{base.name}.lock"
        self._known: dict[str, Vectors] = {}

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        keys = [hashlib.sha256(text.encode()).hexdigest() for text in texts]
        if any(key not in self._known for key in keys):
            with self._lock_path.open("a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                self._known.update(self._read())
                missing = {key: text for key, text in zip(keys, texts, strict=True) if key not in self._known}
                if missing:
                    vectors = self.base.embed_passages(list(missing.values()))
                    self._known.update(zip(missing, vectors, strict=True))
                    self._write()
        if not keys:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._known[key] for key in keys]).astype(np.float32)

    def embed_query(self, text: str) -> Vectors:
        return self.base.embed_query(text)

    def leading_part(self, text: str) -> str | None:
        return leading_part(self.base, text)

    def _read(self) -> dict[str, Vectors]:
        if not self._path.exists():
            return {}
        with np.load(self._path) as stored:
            return dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))

    def _write(self) -> None:
        """Into a temporary file renamed over the old one: a reader never sees half a file."""
        partial = self._path.with_suffix(".partial.npz")
        keys = list(self._known)
        np.savez(partial, keys=np.array(keys), vectors=np.stack([self._known[key] for key in keys]))
        os.replace(partial, self._path)


@pytest.fixture(scope="session")
def feedback_classifier() -> FeedbackClassifier:
    """The shipped categorizer, fitted once per session (a fit takes seconds)."""
    return FeedbackClassifier.default()


@pytest.fixture
def services(
    tmp_path: Path, knowledge: KnowledgeService, feedback_classifier: FeedbackClassifier
) -> Iterator[Services]:
    settings = make_settings(tmp_path)
    engine = create_db_engine(settings.db_url)
    feedback = FeedbackService(FeedbackStore(engine), base=feedback_classifier.fork)
    feedback.warm_up()  # as after the start-up warm-up; the pending path has its own test
    built = Services(
        settings,
        EventLedger(engine),
        JobRunner(workers=2),
        knowledge,
        feedback,
        OwnerStore(engine),
        TodoStore(engine),
        AnswerLog(engine),
        ThreadStore(engine),
    )
    yield built
    built.close()
