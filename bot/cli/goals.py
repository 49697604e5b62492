"""`opsbot goal add|list|status|close`: targets on a metric over a period, and their pace."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta

from bot.cli.output import refuse
from bot.core.config import Settings
from bot.storage.clients import ClientStore
from bot.storage.engine import create_db_engine
from bot.storage.goals import GoalStore, goal_statuses
from bot.storage.metrics import MetricStore
from bot.storage.owners import OwnerStore
from skills.errors import SkillError
from skills.goals import describe, new_goal, owner_id
from skills.schedule import local_day, parse_zone
from skills.transactions_csv import parse_as_of


def run(settings: Settings, args: argparse.Namespace) -> int:
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = create_db_engine(settings.db_url)
    goals, metrics = GoalStore(engine), MetricStore(engine)
    as_json = getattr(args, "json", False)
    try:
        if args.goal_command == "add":
            client = ClientStore(engine).find(args.client).id if args.client else ""
            goal = new_goal(
                args.name,
                args.metric,
                args.target,
                parse_as_of(args.start, "--from"),
                parse_as_of(args.end, "--to"),
                metrics.known(client),
                owner_id(args.owner) if args.owner else "",
                client,
            )
            goals.add(goal)
            if goal.owner:  # the owner's morning digest shows the goal
                OwnerStore(engine).ensure(goal.owner, settings.default_timezone)
            print(json.dumps({"added": goal.name}) if as_json else f"added goal {goal.name!r}")
            return 0
        if args.goal_command == "close":
            closed = goals.close(args.name)
            print(f"closed goal {closed.name!r}")
            return 0
        if args.goal_command == "list":
            stored = goals.goals(include_closed=args.all)
            rows = [
                {
                    "name": s.goal.name,
                    "metric": s.goal.metric,
                    "target": s.goal.target,
                    "from": s.goal.start.isoformat(),
                    "to": s.goal.end.isoformat(),
                    "owner": s.goal.owner or None,
                    "client": s.goal.client or None,
                    "closed": s.closed,
                }
                for s in stored
            ]
            if as_json:
                print(json.dumps(rows, ensure_ascii=False))
            for row in [] if as_json else rows:
                closed = "  (closed)" if row["closed"] else ""
                print(
                    f"{row['name']}\t{row['metric']} {row['target']:,g}\t{row['from']}..{row['to']}"
                    f"\t{row['owner'] or '—'}\t{row['client'] or '—'}{closed}"
                )
            return 0
        as_of = (
            parse_as_of(args.date, "--date")
            if args.date
            else local_day(datetime.now(UTC), parse_zone(settings.default_timezone)) - timedelta(days=1)
        )
        chosen = [goals.find(args.name).goal] if args.name else [s.goal for s in goals.goals()]
        statuses = goal_statuses(chosen, metrics, as_of)
        if as_json:
            print(
                json.dumps(
                    {"as_of": as_of.isoformat(), "goals": [s.as_json() for s in statuses]}, ensure_ascii=False
                )
            )
            return 0
        if not statuses:
            print("No open goals: add one with `opsbot goal add`.")
        for status in statuses:
            print(f"{describe(status, 'en')}  {status.sparkline}".rstrip())
        return 0
    except SkillError as error:
        return refuse(error.en, as_json)
