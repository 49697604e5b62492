"""Publishing the Home tab when a person opens it, and its Done buttons."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.config import load_holidays
from bot.home.view import DONE_ACTION, HomeData, UnansweredQuestion, home_view
from bot.slack.admins import is_opsbot_admin
from bot.slack.requests import slack_locale_language
from skills.errors import SkillError
from skills.schedule import local_day, next_digest, parse_zone

if TYPE_CHECKING:
    from bot.services import Services
    from bot.workspaces import Workspaces

log = logging.getLogger(__name__)
WEEK = timedelta(days=7)


def publish_home(services: Services, client: WebClient, user: str) -> None:
    """Build and publish the person's Home tab (views.publish replaces what was there)."""
    lang = slack_locale_language(client, user, "en")
    now = datetime.now(UTC)
    owner = services.owners.get(user)
    zone = parse_zone(owner.tz if owner else services.settings.default_timezone)
    upcoming = None
    if owner is not None and not owner.paused:
        holidays = load_holidays(services.settings)
        upcoming = next_digest(now, zone, owner.digest_time, owner.weekdays, holidays, owner.snoozed_until)
    unanswered = None
    if is_opsbot_admin(client, services.settings, user):
        # Every question of the week to work on, not a top few: those ranked by 👎 first could
        # otherwise crowd the unanswered ones out.
        to_work_on = services.answers.to_evaluate(now - WEEK)
        unanswered = [UnansweredQuestion(q.question, q.asked) for q in to_work_on if q.unanswered]
    data = HomeData(owner, local_day(now, zone), services.todos.open_items(user), upcoming, unanswered)
    try:
        client.views_publish(user_id=user, view=home_view(data, lang))
    except SlackApiError as error:
        log.warning("could not publish the Home tab: %s", error.response.get("error"))


def register(app: App, workspaces: Workspaces) -> None:
    @app.action(DONE_ACTION)
    def on_done(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """Tick the to-do off and publish the tab again without it (someone else's id: nothing)."""
        ack()
        services = workspaces.for_context(context)
        user = str((body.get("user") or {}).get("id") or "")
        todo_id = str(action.get("value") or "")
        owner = services.owners.get(user)

        def work() -> None:
            if owner is not None and todo_id.isdigit():
                try:
                    services.todos.mark_done(
                        user, int(todo_id), local_day(datetime.now(UTC), parse_zone(owner.tz))
                    )
                except SkillError:
                    log.info("a Home tab Done for a to-do %s does not own", user)
            publish_home(services, client, user)

        services.jobs.submit(work, name="home-todo-done")
