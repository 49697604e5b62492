"""Several workspaces through OAuth, end to end: installs through `/slack/install` and the redirect,
then signed requests from two workspaces into one Bolt app. Nothing of one workspace (feedback,
to-dos, documents, digests) is ever visible in the other, and each is answered with its own token."""

from __future__ import annotations

import json
import os
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import create_app
from bot.core.jobs import JobRunner
from bot.local.slack_api import LocalSlack
from bot.slack.http import close_server, create_http_server, serve_until_closed
from bot.storage.engine import EventLedger, create_db_engine
from bot.storage.feedback import FeedbackStore
from bot.storage.installations import BOT_SCOPES, installed_workspaces
from bot.storage.owners import OwnerStore, TodoStore
from bot.workspace_jobs import WorkspaceJobs
from bot.workspaces import Workspaces
from knowledge.answer import Answer
from knowledge.conversation import Turn
from knowledge.index import SourceRecord
from knowledge.ingest import IngestReport
from skills.feedback_classifier import FeedbackClassifier
from tests.conftest import SIGNING_SECRET, make_settings
from tests.fakes.slack_requests import send_command, send_event

TOKENS = {"T1": "xoxb-1-workspace-one", "T2": "xoxb-2-workspace-two"}
PLAN = "# 华东调整\n\n## 时间表\n\n华东仓储团队三月并入华南大区，涉及四十二名员工，由区域总监沟通。\n"
QUESTION = "华东仓储团队什么时候并入华南大区?"


class WorkspacesSlack(LocalSlack):
    """The loopback Slack API for two workspaces: OAuth codes become installs, and auth.test
    tells which workspace a token belongs to."""

    def _handle(
        self, method: str, params: dict[str, Any], authorization: str | None
    ) -> tuple[int, dict, dict, float]:  # type: ignore[type-arg]
        if method == "oauth.v2.access":
            team = str(params.get("code", "")).removeprefix("code-")
            if team not in TOKENS:
                return 200, {"ok": False, "error": "invalid_code"}, {}, 0.0
            return 200, _oauth_access(team), {}, 0.0
        token = (authorization or "").removeprefix("Bearer ")
        team = next((t for t, known in TOKENS.items() if known == token), None)
        if method == "auth.test" and team is not None and self.refused_token is None:
            body = {"ok": True, "team_id": team, "user_id": f"UBOT{team}", "bot_id": f"B{team}"}
            return 200, body, {}, 0.0
        return super()._handle(method, params, authorization)


def _oauth_access(team: str) -> dict[str, Any]:
    return {
        "ok": True,
        "app_id": "A1",
        "authed_user": {"id": f"UADMIN{team}"},
        "scope": ",".join(BOT_SCOPES),
        "token_type": "bot",
        "access_token": TOKENS[team],
        "bot_user_id": f"UBOT{team}",
        "team": {"id": team, "name": f"Team {team}"},
        "enterprise": None,
        "is_enterprise_install": False,
    }


@dataclass
class Served:
    url: str
    slack: WorkspacesSlack
    workspaces: Workspaces
    home: Path

    @property
    def events_url(self) -> str:
        return f"{self.url}/slack/events"


class _ScopedIndexCleanup:
    """The session index is shared with other tests: what these workspaces add goes afterwards."""

    def __init__(self, knowledge: Any) -> None:
        self.knowledge = knowledge

    def __call__(self) -> None:
        for record in self.knowledge.sources():
            if record.source.startswith(tuple(f"{team}/" for team in TOKENS)):
                self.knowledge.forget(record.source)


@pytest.fixture
def served(
    tmp_path: Path, knowledge: Any, feedback_classifier: FeedbackClassifier, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Served]:
    monkeypatch.setattr(FeedbackClassifier, "default", feedback_classifier.fork)
    slack = WorkspacesSlack()
    base_url = slack.start()
    settings = make_settings(
        tmp_path,
        SLACK_BOT_TOKEN="",
        SLACK_CLIENT_ID="1111.2222",
        SLACK_CLIENT_SECRET="client-secret-for-tests",
        SLACK_API_BASE_URL=base_url,
    )
    engine = create_db_engine(settings.root_db_url)
    workspaces = Workspaces(settings, EventLedger(engine), knowledge, JobRunner(workers=2))
    server = create_http_server(create_app(settings, workspaces), workspaces, "127.0.0.1", 0)
    thread = threading.Thread(target=serve_until_closed, args=(server,), daemon=True)
    thread.start()
    yield Served(f"http://127.0.0.1:{server.effective_port}", slack, workspaces, tmp_path)
    close_server(server)
    thread.join(timeout=5)
    workspaces.jobs.shutdown()
    _ScopedIndexCleanup(knowledge)()
    slack.stop()


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def _install(served: Served, team: str) -> str:
    status, page, headers = _get(f"{served.url}/slack/install")
    assert status == 200 and "slack.com/oauth/v2/authorize" in page
    state = re.search(r"state=([0-9a-f-]+)", page)
    cookie = headers.get("Set-Cookie", "").split(";")[0]
    assert state is not None and cookie
    redirect = f"{served.url}/slack/oauth_redirect?code=code-{team}&state={state.group(1)}"
    status, page, _ = _get(redirect, {"Cookie": cookie})
    return f"{status} {page}"


def _command(served: Served, team: str, text: str, user: str, channel: str = "C1") -> str:
    before = len(served.slack.responses)
    url = served.slack.response_url(f"{team}-{before}")
    status, body = send_command(
        served.events_url, SIGNING_SECRET, "/ops", text, url, user=user, channel=channel, team_id=team
    )
    assert status == 200, body
    served.workspaces.jobs.drain(timeout=60)
    answers = [json.dumps(r, ensure_ascii=False) for r in served.slack.responses[before:]]
    return body + "\n".join(answers)


def _installed(served: Served) -> None:
    for team in TOKENS:
        result = _install(served, team)
        assert result.startswith("200"), result


def test_installs_are_kept_and_an_unknown_code_is_refused(served: Served) -> None:
    _installed(served)
    engine = create_db_engine(served.workspaces.settings.root_db_url)
    found = installed_workspaces(engine, "1111.2222")
    assert [(w.team_id, w.bot_token) for w in found] == [("T1", TOKENS["T1"]), ("T2", TOKENS["T2"])]
    status, _page, headers = _get(f"{served.url}/slack/install")
    state = re.search(r"state=([0-9a-f-]+)", _page)
    assert state is not None
    cookie = headers.get("Set-Cookie", "").split(";")[0]
    status, _, _ = _get(
        f"{served.url}/slack/oauth_redirect?code=code-T9&state={state.group(1)}", {"Cookie": cookie}
    )
    assert status >= 400
    assert len(installed_workspaces(engine, "1111.2222")) == 2


def test_a_forged_install_state_is_refused(served: Served) -> None:
    status, _, _ = _get(f"{served.url}/slack/oauth_redirect?code=code-T1&state=forged")
    assert status >= 400
    engine = create_db_engine(served.workspaces.settings.root_db_url)
    assert installed_workspaces(engine, "1111.2222") == []


def test_feedback_and_todos_stay_in_their_workspace(served: Served) -> None:
    _installed(served)
    _command(served, "T1", "feedback 导出报表时页面一直转圈，客户 ACME 很着急", user="UA")
    # One person in two workspaces of an organization keeps one list in each.
    _command(served, "T1", "todo add 给 ACME 回电话", user="UX")
    _command(served, "T2", "todo add call BETA about renewal", user="UX")

    one = served.workspaces.settings.for_workspace("T1")
    two = served.workspaces.settings.for_workspace("T2")
    assert one.db_url != two.db_url
    assert len(FeedbackStore(create_db_engine(one.db_url)).items()) == 1
    assert FeedbackStore(create_db_engine(two.db_url)).items() == []

    assert "Production bug: *1*" in _command(served, "T1", "feedback stats", user="UA")
    assert "Production bug: *1*" not in _command(served, "T2", "feedback stats", user="UB")
    todo_two = _command(served, "T2", "todo", user="UX")
    assert "BETA" in todo_two and "ACME" not in todo_two
    todo_one = _command(served, "T1", "todo", user="UX")
    assert "ACME" in todo_one and "BETA" not in todo_one

    tokens = {call.authorization for call in served.slack.calls if call.method.startswith("chat.")}
    assert tokens <= {f"Bearer {token}" for token in TOKENS.values()}


def test_a_document_learned_in_one_workspace_is_never_cited_in_the_other(served: Served) -> None:
    _installed(served)
    served.slack.admins.add("UADMINT1")
    served.slack.add_file("调整.md", PLAN.encode(), user="UADMINT1", channel="C1")
    learned = _command(served, "T1", "learn", user="UADMINT1", channel="C1")
    assert "Reading 调整.md" in learned and "Added: 调整.md" in learned

    in_one = _command(served, "T1", f"ask {QUESTION}", user="UA", channel="C1")
    assert "四十二名员工" in in_one
    in_two = _command(served, "T2", f"ask {QUESTION}", user="UB", channel="C1")
    assert "四十二名员工" not in in_two and "华东调整" not in in_two
    assert "调整.md" not in _command(served, "T2", "sources", user="UB")
    assert "调整.md" in _command(served, "T1", "sources", user="UA")

    before = len(served.slack.calls_to("chat.update"))
    mention = {
        "type": "app_mention",
        "user": "UB",
        "text": f"<@UBOTT2> {QUESTION}",
        "ts": "1.1",
        "channel": "C1",
    }
    assert send_event(served.events_url, SIGNING_SECRET, mention, "EvT2", team_id="T2") == 200
    assert served.slack.wait_for(lambda s: len(s.calls_to("chat.update")) > before, timeout=60)
    update = served.slack.calls_to("chat.update")[-1]
    assert update.authorization == f"Bearer {TOKENS['T2']}"
    assert "四十二名员工" not in json.dumps(update.params, ensure_ascii=False)


def test_a_request_from_a_workspace_that_never_installed_is_refused(served: Served) -> None:
    _installed(served)
    status, _ = send_command(
        served.events_url, SIGNING_SECRET, "/ops", "todo add x", served.slack.response_url("T9"), team_id="T9"
    )
    served.workspaces.jobs.drain(timeout=10)
    assert status == 200
    [refusal] = served.slack.responses
    assert "not installed in this workspace" in refusal["text"] and "未安装" in refusal["text"]
    assert not (served.home / "workspaces" / "T9").exists()


def test_each_workspace_gets_its_own_digests_with_its_own_token(served: Served) -> None:
    _installed(served)
    settings = served.workspaces.settings
    for team, user, todo in (("T1", "UA", "给 ACME 回电话"), ("T2", "UB", "call BETA")):
        engine = create_db_engine(settings.for_workspace(team).db_url)
        OwnerStore(engine).ensure(user, "UTC")
        TodoStore(engine).add(user, todo, datetime(2026, 11, 26, tzinfo=UTC).date())
    # Two processes scan the same minute at once: each digest goes out once (the delivery log).
    jobs, other_process = (
        WorkspaceJobs(settings, served.workspaces),
        WorkspaceJobs(settings, served.workspaces),
    )
    friday_morning = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    sent: list[int] = []
    racers = [
        threading.Thread(target=lambda j=j: sent.append(j.scan(friday_morning)))
        for j in (jobs, other_process)
    ]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=60)
    assert sum(sent) == 2
    assert jobs.workspaces == ["T1", "T2"]
    assert jobs.scan(friday_morning) == 0

    posts = [call for call in served.slack.calls_to("chat.postMessage")]
    by_token = {call.authorization: json.dumps(call.params, ensure_ascii=False) for call in posts}
    assert "ACME" in by_token[f"Bearer {TOKENS['T1']}"] and "BETA" not in by_token[f"Bearer {TOKENS['T1']}"]
    assert "BETA" in by_token[f"Bearer {TOKENS['T2']}"] and "ACME" not in by_token[f"Bearer {TOKENS['T2']}"]


def test_each_workspace_chooses_its_own_weekly_channel(served: Served) -> None:
    _installed(served)
    served.slack.admins.update({"UA", "UB"})
    assert "every Monday 10:00" in _command(served, "T1", "weekly channel here", "UA", channel="C0ONE")
    assert "每周一 09:00" in _command(served, "T2", "周报 频道 这里 周一 09:00", "UB", channel="C0TWO")
    assert "<#C0ONE>" in _command(served, "T1", "weekly channel", "UA")
    assert "<#C0TWO>" in _command(served, "T2", "weekly channel", "UB")
    jobs = WorkspaceJobs(served.workspaces.settings, served.workspaces)
    assert jobs.scan(datetime(2026, 11, 30, 10, 0, tzinfo=UTC)) == 2  # Monday 10:00 UTC: both due
    assert jobs.scan(datetime(2026, 11, 30, 10, 5, tzinfo=UTC)) == 0
    summaries = {
        call.params["channel"]: (call.authorization, str(call.params["text"]))
        for call in served.slack.calls_to("chat.postMessage")
        if "2026-W48" in str(call.params.get("text"))
    }
    assert set(summaries) == {"C0ONE", "C0TWO"}
    assert summaries["C0ONE"][0] == f"Bearer {TOKENS['T1']}" and "Weekly summary" in summaries["C0ONE"][1]
    assert summaries["C0TWO"][0] == f"Bearer {TOKENS['T2']}" and "周报" in summaries["C0TWO"][1]


def test_an_uninstalled_workspace_stops_its_jobs(served: Served) -> None:
    _installed(served)
    jobs = WorkspaceJobs(served.workspaces.settings, served.workspaces)
    jobs.scan(datetime(2026, 11, 27, 3, 0, tzinfo=UTC))
    assert jobs.workspaces == ["T1", "T2"]
    event = {"type": "app_uninstalled"}
    assert send_event(served.events_url, SIGNING_SECRET, event, "EvGone", team_id="T2") == 200
    jobs.scan(datetime(2026, 11, 27, 3, 1, tzinfo=UTC))
    assert jobs.workspaces == ["T1"]


class _Recorder:
    """A stand-in for the shared index that records what a workspace's view asks of it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.records = [
            SourceRecord("playbook/rfm.md", "h", "RFM", 3, 0.0),
            SourceRecord("T1/slack/a.md", "h", "A", 1, 0.0, visibility="T1"),
            SourceRecord("T1/slack/b.md", "h", "B", 1, 0.0, visibility="T1:G9"),
            SourceRecord("T2/slack/c.md", "h", "C", 1, 0.0, visibility="T2"),
        ]

    ready = True

    def answer(self, question: str, channel: str | None = None, earlier: Sequence[Turn] = ()) -> Answer:
        self.calls.append(("answer", channel))
        return Answer(question, "en", "text")

    def prepare(self, question: str, channel: str | None = None, earlier: Sequence[Turn] = ()) -> Answer:
        return self.answer(question, channel, earlier)

    def ingest(
        self, source: str, name: str, data: bytes, url: str | None = None, visibility: str = ""
    ) -> IngestReport:
        self.calls.append(("ingest", (source, visibility)))
        return IngestReport(added=[source])

    def sources(self) -> list[SourceRecord]:
        return self.records

    def forget(self, source: str) -> int:
        self.calls.append(("forget", source))
        return 1


def test_a_workspace_view_of_the_index_scopes_names_and_restrictions() -> None:
    from bot.workspaces import ScopedKnowledge

    shared = _Recorder()
    view = ScopedKnowledge(shared, "T1")  # type: ignore[arg-type]
    view.answer("q", "C5")
    view.answer("q", None)
    report = view.ingest("slack/x.md", "x.md", b"x", visibility="G9")
    view.ingest("slack/y.md", "y.md", b"y")
    view.forget("slack/a.md")
    assert shared.calls == [
        ("answer", "T1:C5"),
        ("answer", "T1"),
        ("ingest", ("T1/slack/x.md", "T1:G9")),
        ("ingest", ("T1/slack/y.md", "T1")),
        ("forget", "T1/slack/a.md"),
    ]
    assert report.added == ["slack/x.md"]
    listed = {(r.source, r.visibility) for r in view.sources()}
    assert listed == {("playbook/rfm.md", ""), ("slack/a.md", ""), ("slack/b.md", "G9")}


def test_a_workspace_whose_database_cannot_be_opened_is_told_to_try_again(served: Served) -> None:
    if os.environ.get("DATABASE_URL"):
        pytest.skip("blocks a workspace's SQLite file; benchmarks/database_outage.py stops PostgreSQL")
    _installed(served)
    blocked = served.home / "workspaces" / "T1" / "opsbot.db"
    blocked.mkdir(parents=True)  # SQLite cannot open a folder: as good as a database that is down
    reply = _command(served, "T1", "todo add 给 ACME 回电话", user="UX")
    assert "cannot reach its database" in reply and "一分钟后再试" in reply
    blocked.rmdir()
    assert "ACME" in _command(served, "T1", "todo add 给 ACME 回电话", user="UX")
    engine = create_db_engine(served.workspaces.settings.for_workspace("T1").db_url)
    assert [todo.text for todo in TodoStore(engine).open_items("UX")] == ["给 ACME 回电话"]


def test_no_install_secret_reaches_the_log(served: Served, capfd: pytest.CaptureFixture[str]) -> None:
    """The client secret and every workspace's bot token stay out of the log, at DEBUG, through
    installs (Slack's answer to oauth.v2.access carries the token), commands and digests."""
    import io
    import logging

    from bot.core.logs import configure_logging

    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    saved_levels = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    settings = served.workspaces.settings
    configure_logging(settings.model_copy(update={"log_level": "DEBUG"}))
    buffer = io.StringIO()
    [handler] = root.handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    try:
        _installed(served)
        _command(served, "T1", "todo add 给 ACME 回电话", user="UX")
        WorkspaceJobs(settings, served.workspaces).scan(datetime(2026, 11, 27, 9, 30, tzinfo=UTC))
    finally:
        root.handlers, root.level = saved_handlers, saved_level
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)
    captured = capfd.readouterr()
    everything = "\n".join((buffer.getvalue(), captured.out, captured.err))
    assert "oauth.v2.access" in everything and "DEBUG" in everything
    for secret in ("client-secret-for-tests", *TOKENS.values()):
        assert secret not in everything, [line for line in everything.splitlines() if secret in line][:3]
