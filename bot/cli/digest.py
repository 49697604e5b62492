"""`opsbot digest --owner U --date D [--json]`: the morning digest for an owner's local day D,
reviewing D−1, built from the same stores the bot uses."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from bot.cli.output import refuse
from bot.cli.owners import unknown_owner
from bot.core.config import Settings, SettingsError
from bot.core.team_files import health_config
from bot.digest.collect import collect, render_text
from bot.storage.engine import create_db_engine
from bot.storage.owners import OwnerStore
from skills.errors import SkillError
from skills.transactions_csv import parse_as_of


def run(settings: Settings, args: argparse.Namespace) -> int:
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = create_db_engine(settings.db_url)
    if unknown := unknown_owner(OwnerStore(engine), args.owner):
        return refuse(unknown, args.json)
    try:
        day = parse_as_of(args.date, "--date") if args.date else None
        digest = collect(engine, args.owner, day, settings.default_timezone, health=health_config(settings))
    except SkillError as error:
        return refuse(error.en, args.json)
    print(json.dumps(digest.as_json(), ensure_ascii=False) if args.json else render_text(digest, args.lang))
    if args.send:
        return _send(settings, args.owner, digest.day)
    return 0


def _send(settings: Settings, user: str, day: date) -> int:
    from slack_sdk.errors import SlackApiError

    from bot.digest.scheduler import create_digest_scheduler
    from bot.slack.client import create_web_client

    if settings.slack_bot_token is None:
        raise SettingsError("Setting SLACK_BOT_TOKEN is missing: it is needed to --send the digest.")
    client = create_web_client(
        settings.slack_bot_token.get_secret_value(), settings.slack_api_url, scheduled=True
    )
    try:
        sent = create_digest_scheduler(settings, client).send_now(user, day)
    except SlackApiError as error:
        print(f"opsbot: Slack refused the digest ({error.response.get('error')}).", file=sys.stderr)
        return 1
    print(f"sent to {user}" if sent else f"already sent to {user} for {day}", file=sys.stderr)
    return 0
