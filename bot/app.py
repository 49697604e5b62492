"""The Bolt app factory: one place that wires settings, services and listeners together."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.oauth.oauth_settings import OAuthSettings
from sqlalchemy.exc import OperationalError

from bot.answers import listeners as answer_votes
from bot.core.config import Settings
from bot.digest import commands as digest_commands
from bot.feedback import listeners as feedback
from bot.home import listeners as home
from bot.listeners import commands, events
from bot.retro import commands as retro
from bot.services import Services
from bot.slack.client import create_web_client
from bot.storage.engine import create_db_engine, database_unreachable
from bot.storage.installations import BOT_SCOPES, installation_store, state_store
from bot.workspaces import UnknownWorkspace, Workspaces

log = logging.getLogger(__name__)


def create_app(settings: Settings, services: Services | Workspaces, token: str | None = None) -> App:
    """Build the Bolt app. Listeners only ack and enqueue; slow work runs on `services.jobs`.
    With several workspaces (OAuth), each request is served by its workspace's services."""
    workspaces = services if isinstance(services, Workspaces) else Workspaces.of(services)
    signing_secret = settings.slack_signing_secret
    secret = signing_secret.get_secret_value() if signing_secret else ""
    if workspaces.multi:
        app = App(
            signing_secret=secret,
            client=create_web_client(None, settings.slack_api_url),
            oauth_settings=oauth_settings(settings),
            user_facing_authorize_error_message=NOT_INSTALLED,
            process_before_response=True,
            logger=_bolt_logger(),
        )
        app.enable_token_revocation_listeners()
    else:
        bot_token = token or (
            settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
        )
        if bot_token is None:
            raise ValueError("a bot token is needed to build the Slack app")
        app = App(
            signing_secret=secret,
            client=create_web_client(bot_token, settings.slack_api_url),
            process_before_response=True,
            logger=_bolt_logger(),
            # Not at construction: serving checks Slack itself, retrying while it cannot be
            # reached (bot.slack.connection), instead of failing with a traceback.
            token_verification_enabled=False,
        )
    app.use(_workspace_middleware(workspaces))  # first: a refused event must not count as handled
    app.use(_dedupe_middleware(workspaces))
    events.register(app, workspaces)
    commands.register(app, workspaces)
    feedback.register(app, workspaces)
    answer_votes.register(app, workspaces)
    home.register(app, workspaces)
    digest_commands.register(app, workspaces)
    retro.register(app, workspaces)
    return app


NOT_INSTALLED = (
    ":warning: opsbot is not installed in this workspace (or was removed): ask a workspace admin to "
    "install it again. / opsbot 未安装在这个工作区(或已被移除),请工作区管理员重新安装。"
)


DATABASE_DOWN = (
    ":warning: opsbot cannot reach its database right now, so nothing was done. Please try again in "
    "a minute. / opsbot 暂时连不上数据库,这次没有做任何操作,请一分钟后再试。"
)


def oauth_settings(settings: Settings) -> OAuthSettings:
    """Install by OAuth (`/slack/install`, `/slack/oauth_redirect`); installations and the one-time
    states are kept in the root database, shared by every process."""
    assert settings.slack_client_id is not None and settings.slack_client_secret is not None
    engine = create_db_engine(settings.root_db_url)
    store = installation_store(settings.slack_client_id, engine)
    return OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=list(BOT_SCOPES),
        installation_store=store,
        installation_store_bot_only=True,
        state_store=state_store(engine),
        logger=_bolt_logger(),
    )


class _TokenFromEnvironmentNotice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and then warns that the client we built wins; it does."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def _bolt_logger() -> logging.Logger:
    logger = logging.getLogger("opsbot.slack")
    if not any(isinstance(f, _TokenFromEnvironmentNotice) for f in logger.filters):
        logger.addFilter(_TokenFromEnvironmentNotice())
    return logger


def _workspace_middleware(workspaces: Workspaces):  # type: ignore[no-untyped-def]
    """A request from a workspace opsbot cannot keep data for is refused before any listener runs
    (and its workspace's services are opened here, once, rather than inside a listener)."""

    def resolve(body: dict[str, Any], context: BoltContext, next) -> BoltResponse | None:  # type: ignore[no-untyped-def]
        try:
            workspaces.for_context(context)
        except UnknownWorkspace as error:
            log.warning("refusing a request: %s", error)
            return BoltResponse(status=200, body="")
        except OperationalError as error:
            log.error("%s", database_unreachable(error))
            if body.get("command"):  # the person sees this at once; nothing was done
                reply = {"response_type": "ephemeral", "text": DATABASE_DOWN}
                return BoltResponse(status=200, body=json.dumps(reply, ensure_ascii=False))
            return BoltResponse(status=503, body="")  # Slack sends events again later
        return next()

    return resolve


def _dedupe_middleware(workspaces: Workspaces):  # type: ignore[no-untyped-def]
    """Answer each event once: Slack redelivers (X-Slack-Retry-Num) and a DM may arrive twice. A
    channel shared by two workspaces delivers its messages to each: each answers once."""

    def dedupe(body: dict[str, Any], next) -> BoltResponse | None:  # type: ignore[no-untyped-def]
        if body.get("type") == "event_callback":
            keys = [f"event:{body.get('event_id', '')}"]
            event = body.get("event") or {}
            # A mention arrives twice in a DM (app_mention and message.im): one answer. In a channel
            # a message event is never the mention's twin: the listener leaves mentions to it.
            twin = event.get("type") == "app_mention" or event.get("channel_type") == "im"
            if twin and event.get("ts"):
                team = str(body.get("team_id") or "") if workspaces.multi else ""
                keys.append(f"message:{team}{':' if team else ''}{event.get('channel', '')}:{event['ts']}")
            if not workspaces.ledger.claim(*keys):
                log.info("skipping an event already handled (%s)", keys[0])
                return BoltResponse(status=200, body="")
        return next()

    return dedupe
