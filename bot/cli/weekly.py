"""`opsbot weekly [--week-of D] [--lang zh] [--json]`: the weekly summary from the same stores the bot
uses, as seen from OPSBOT_WEEKLY_TIMEZONE (else OPSBOT_DEFAULT_TIMEZONE)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import UTC, datetime

from bot.core.config import Settings, load_holidays
from bot.core.llm import create_llm
from bot.storage.engine import create_db_engine
from bot.weekly.summary import collect_weekly, compose, render_text
from skills.errors import SkillError
from skills.schedule import local_day, parse_zone
from skills.weekly import parse_week_of

Refuse = Callable[[str, bool], int]


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    weekly = sub.add_parser(
        "weekly", help="the weekly summary: metrics week on week, anomalies, feedback, to-dos, renewals"
    )
    weekly.add_argument(
        "--week-of",
        dest="week_of",
        help="any day of the week to summarise, YYYY-MM-DD or 2026-W47 (default: the last complete week)",
    )
    weekly.add_argument("--lang", choices=("en", "zh"), default="en", help="the narrative's language")
    weekly.add_argument("--json", action="store_true", help="print the summary as JSON")


def run(settings: Settings, args: argparse.Namespace, refuse: Refuse) -> int:
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
