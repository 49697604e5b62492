"""`opsbot health`: every client's health score, status and reasons, worst first."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.output import refuse
from bot.core.config import Settings
from bot.core.team_files import health_config
from bot.storage.engine import create_db_engine
from bot.storage.health import HealthStore, clients_health
from skills.errors import SkillError
from skills.health import STATUS_MARK, default_health_yaml
from skills.schedule import local_day, parse_zone
from skills.transactions_csv import parse_as_of


def run(settings: Settings, args: argparse.Namespace) -> int:
    if args.print_config:
        print(default_health_yaml(), end="")
        return 0
    lang = args.lang or "en"
    try:
        config = health_config(settings, Path(args.weights) if args.weights else None)
        today = (
            parse_as_of(args.date, "--date")
            if args.date
            else local_day(datetime.now(UTC), parse_zone(settings.default_timezone))
        )
        settings.home.mkdir(parents=True, exist_ok=True)
        engine = create_db_engine(settings.db_url)
        healths = clients_health(engine, today, config)
        HealthStore(engine).record(today, healths)  # the day's scores: what the digest compares with
    except SkillError as error:
        return refuse(error.message(lang), args.json)
    if args.json:
        print(
            json.dumps(
                {"date": today.isoformat(), "clients": [h.as_json(lang) for h in healths]}, ensure_ascii=False
            )
        )
        return 0
    if not healths:
        print(
            "还没有客户:先导入客户清单(opsbot clients import clients.csv)。"
            if lang == "zh"
            else "No clients yet: import the client list first (opsbot clients import clients.csv)."
        )
    for health in healths:
        reasons = "; ".join(reason.evidence(lang) for reason in health.reasons)
        print(
            f"{STATUS_MARK[health.status]} {health.score:>3}  {health.client}  {health.name}  {reasons}".rstrip()
        )
    return 0
