"""`opsbot serve` (Slack: Socket Mode, the Events API over HTTP, or OAuth for many workspaces) and
`opsbot chat` (the local console)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from typing import TYPE_CHECKING

from bot.answers.service import create_knowledge
from bot.cli.output import IndexingBar
from bot.core.config import Settings, SettingsError
from bot.core.jobs import JobRunner
from bot.services import Services, create_services
from bot.slack.periodic import PeriodicScan

if TYPE_CHECKING:
    from slack_bolt import App

    from bot.local.console import Console
    from bot.workspaces import Workspaces

log = logging.getLogger("opsbot")


def serve(settings: Settings, args: argparse.Namespace) -> int:
    from bot.answers.process import AnswerProcess
    from bot.app import create_app
    from bot.slack.client import create_web_client

    use_http = getattr(args, "http", False) or settings.slack_app_token is None
    if settings.multi_workspace:
        return _serve_workspaces(settings, args)
    if settings.slack_bot_token is None:
        raise SettingsError(
            "Setting SLACK_BOT_TOKEN is missing: it is needed to serve Slack (or run `opsbot chat`)."
        )
    _need_signing_secret(settings, use_http)
    from bot.digest.scheduler import create_digest_scheduler
    from bot.feedback.flows import resume_unfinished
    from bot.renewal.scheduler import create_renewal_scheduler
    from bot.weekly.scheduler import create_weekly_scheduler

    services = create_services(settings, AnswerProcess(settings, processes=settings.answer_processes))
    app = create_app(settings, services)
    scheduled = create_web_client(
        settings.slack_bot_token.get_secret_value(), settings.slack_api_url, scheduled=True
    )
    schedulers = [
        create_digest_scheduler(settings, scheduled),
        create_renewal_scheduler(settings, scheduled),
        create_weekly_scheduler(settings, scheduled),
    ]
    for scheduler in schedulers:
        scheduler.start()
    services.knowledge.start_warm_up()
    services.feedback.start_warm_up()
    services.jobs.submit(lambda: resume_unfinished(services, app.client), name="feedback-resume")
    if use_http:
        return _serve_http(app, services, args, schedulers, check_slack=True)

    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.slack.connection import SlackConnection

    assert settings.slack_app_token is not None
    connection = SlackConnection(app.client, on_token_refused=lambda _: None)
    connection.start()
    if not connection.wait():
        for scheduler in schedulers:
            scheduler.shutdown()
        services.close()
        return 1
    log.info("opsbot connecting to Slack in Socket Mode")
    SocketModeHandler(app, settings.slack_app_token.get_secret_value()).start()
    return 0


def _serve_workspaces(settings: Settings, args: argparse.Namespace) -> int:
    """SLACK_CLIENT_ID and SLACK_CLIENT_SECRET: installs by OAuth into any number of workspaces, over
    HTTP (Slack sends installs and events to a public URL), each workspace's data kept apart."""
    from bot.answers.process import AnswerProcess
    from bot.answers.service import check_chroma
    from bot.app import create_app
    from bot.storage.engine import EventLedger, create_db_engine
    from bot.workspace_jobs import WorkspaceJobs, check_multi_workspace_settings
    from bot.workspaces import Workspaces

    _need_signing_secret(settings, use_http=True)
    check_multi_workspace_settings(settings)
    check_chroma(settings)
    engine = create_db_engine(settings.root_db_url)
    knowledge = AnswerProcess(settings, processes=settings.answer_processes)
    workspaces = Workspaces(settings, EventLedger(engine), knowledge, JobRunner(settings.workers))
    app = create_app(settings, workspaces)
    jobs = WorkspaceJobs(settings, workspaces, engine)
    jobs.start()
    knowledge.start_warm_up()
    return _serve_http(app, workspaces, args, [jobs])


def _need_signing_secret(settings: Settings, use_http: bool) -> None:
    if use_http and settings.slack_signing_secret is None:
        raise SettingsError(
            "Setting SLACK_SIGNING_SECRET is missing: it is needed to verify Slack's HTTP requests."
        )


def _serve_http(
    app: App,
    services: Services | Workspaces,
    args: argparse.Namespace,
    schedulers: list[PeriodicScan],
    check_slack: bool = False,
) -> int:
    """Serve the Events API (and with OAuth, `/slack/install`) until SIGTERM or Ctrl-C. With
    `check_slack` (one workspace, one token), `/healthz` waits for Slack to answer once as well, and
    a refused token stops the server with status 1."""
    from bot.slack.connection import SlackConnection
    from bot.slack.http import close_server, create_http_server, serve_until_closed

    refused: list[str] = []
    connection = None
    if check_slack:
        connection = SlackConnection(
            app.client, on_token_refused=lambda problem: (refused.append(problem), close_server(server))
        )
    server = create_http_server(
        app, services, getattr(args, "host", "0.0.0.0"), getattr(args, "port", 3000), connection
    )
    if connection is not None:
        connection.start()
    grace = services.settings.stop_grace_seconds
    stopping: list[bool] = []

    def stop(signum: int, _frame: object) -> None:
        """The first SIGTERM stops taking events (Slack sends them again elsewhere) and lets the
        answers in flight finish; a second SIGTERM or a Ctrl-C then leaves at once."""
        if stopping:
            log.warning("stopping now, without waiting for the answers in flight")
            os._exit(1)
        stopping.append(True)
        signal.signal(signal.SIGINT, stop)
        log.info("stopping: no new events; answers in flight have up to %g s to finish", grace)
        close_server(server)

    signal.signal(signal.SIGTERM, stop)
    log.info("opsbot listening on http://%s:%s/slack/events", server.effective_host, server.effective_port)
    try:
        serve_until_closed(server)
    except KeyboardInterrupt:
        pass
    finally:
        if connection is not None:
            connection.stop()
        for scheduler in schedulers:
            scheduler.shutdown()
        if not services.jobs.drain(timeout=grace):
            log.warning("answers still in flight after %g s (OPSBOT_STOP_GRACE_SECONDS); stopping", grace)
            os._exit(1)  # the answer processes follow on their own (they watch this one)
        services.close()
    return 1 if refused else 0


def chat(settings: Settings, args: argparse.Namespace) -> int:
    from bot.local.console import Console
    from bot.local.prompt import TerminalLines

    services: Services | None = None
    console: Console | None = None
    try:
        knowledge = create_knowledge(settings, progress=IndexingBar(), background_vectors=True)
        services = create_services(settings, knowledge)
        console = Console(settings, services)
        print("opsbot: loading the language models and the playbook index…", file=sys.stderr)
        services.knowledge.warm_up()
        services.feedback.start_warm_up()
    except KeyboardInterrupt:  # Ctrl-C while starting is a way to leave, as Ctrl-D is later
        print("\nopsbot: stopped before the console opened.", file=sys.stderr)
        _close(console, services)
        return 0
    try:
        at_terminal = sys.stdin.isatty()
        console.run(TerminalLines(settings.home / "console_history") if at_terminal else sys.stdin)
    finally:
        _close(console, services)
    return 0


def _close(console: Console | None, services: Services | None) -> None:
    if console is not None:
        console.close()
    if services is not None:
        services.close()
