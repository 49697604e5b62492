"""`opsbot weekly [--week-of D] [--lang zh] [--json]`: the weekly summary from the same stores the bot
uses, as seen from OPSBOT_WEEKLY_TIMEZONE (else OPSBOT_DEFAULT_TIMEZONE)."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime

from bot.cli.output import refuse
from bot.core.config import Settings, load_holidays
from bot.core.llm import create_llm
from bot.storage.engine import create_db_engine
from bot.weekly.summary import collect_weekly, compose, render_text
from skills.errors import SkillError
from skills.schedule import local_day, parse_zone
from skills.weekly import parse_week_of


def run(settings: Settings, args: argparse.Namespace) -> int:
    zone = parse_zone(settings.weekly_zone)
    holidays = load_holidays(settings)
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = create_db_engine(settings.db_url)
    today = local_day(datetime.now(UTC), zone)
    try:
        week_of = parse_week_of(args.week_of) if args.week_of else None
        summary = collect_weekly(engine, today, week_of, zone, holidays)
    except SkillError as error:
        return refuse(error.message(args.lang), args.json)
    report = compose(summary, args.lang, create_llm(settings))
    print(json.dumps(report.as_json(), ensure_ascii=False) if args.json else render_text(report))
    return 0
