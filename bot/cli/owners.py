"""`opsbot todo …` and `opsbot owners …`: to-dos and digest settings from the command line.
Owners the command line has not seen are created with OPSBOT_DEFAULT_TIMEZONE."""

from __future__ import annotations

import argparse
import difflib
import json
from datetime import UTC, date, datetime

from bot.cli.output import refuse
from bot.core.config import Settings
from bot.storage.engine import create_db_engine
from bot.storage.owners import Owner, OwnerChanges, OwnerStore, TodoStore
from skills.errors import SkillError
from skills.schedule import local_day, parse_zone
from skills.transactions_csv import parse_as_of


def run_todo(settings: Settings, args: argparse.Namespace) -> int:
    engine = create_db_engine(settings.db_url)
    owners, todos = OwnerStore(engine), TodoStore(engine)
    try:
        if args.todo_command == "done":
            todo = todos.mark_done(None, args.id, _today(owners.get(_owner_of(todos, args.id)), settings))
            print(f"done: #{todo.id} {todo.text}")
            return 0
        if args.todo_command == "list" and (unknown := unknown_owner(owners, args.owner)):
            return refuse(unknown, args.json)
        owner = owners.ensure(args.owner, settings.default_timezone)
        if args.todo_command == "add":
            todo = todos.add(owner.user, " ".join(args.text), _today(owner, settings))
            print(f"#{todo.id} {todo.text}")
            return 0
        for todo in todos.open_items(owner.user):
            record = {"id": todo.id, "text": todo.text, "added_on": todo.added_on.isoformat(), "done": False}
            print(
                json.dumps(record, ensure_ascii=False)
                if args.json
                else f"#{todo.id}\t{todo.added_on}\t{todo.text}"
            )
        return 0
    except SkillError as error:
        return refuse(error.en, getattr(args, "json", False))


def unknown_owner(store: OwnerStore, user: str) -> str | None:
    """Why `user` cannot be looked up (they have never been an owner), with the closest known ids;
    None when they are known. Reading must not sign anyone up."""
    if store.get(user) is not None:
        return None
    known = [owner.user for owner in store.all()]
    close = difflib.get_close_matches(user, known, n=3, cutoff=0.5)
    if close:
        hint = f" Did you mean {', '.join(close)}?"
    elif known:
        hint = " `opsbot owners list` shows who is."
    else:
        hint = " Nobody is yet: `opsbot todo add --owner ID …` or `opsbot owners set ID` adds one."
    return f"{user} is not an owner.{hint}"


def run_owners(settings: Settings, args: argparse.Namespace) -> int:
    store = OwnerStore(create_db_engine(settings.db_url))
    try:
        if args.owners_command == "list":
            for owner in store.all():
                record = owner_json(owner)
                print(
                    json.dumps(record, ensure_ascii=False)
                    if args.json
                    else "\t".join(str(v) for v in record.values())
                )
            return 0
        store.ensure(args.owner, settings.default_timezone)
        snooze = parse_as_of(args.snooze_until, "--snooze-until") if args.snooze_until else None
        changes = OwnerChanges(
            tz=args.tz,
            digest_at=args.at,
            working_days=args.days,
            metrics=[key.strip() for key in args.metrics.split(",") if key.strip()] if args.metrics else None,
            paused=True if args.pause else (False if args.resume else None),
            snoozed_until=snooze,
            clear_snooze=args.resume,
        )
        print(json.dumps(owner_json(store.change(args.owner, changes)), ensure_ascii=False))
        return 0
    except SkillError as error:
        return refuse(error.en, getattr(args, "json", False))


def owner_json(owner: Owner) -> dict[str, object]:
    return {
        "owner": owner.user,
        "tz": owner.tz,
        "digest_at": owner.digest_at,
        "working_days": sorted(owner.weekdays),
        "metrics": owner.metric_keys,
        "paused": owner.paused,
        "snoozed_until": owner.snoozed_until.isoformat() if owner.snoozed_until else None,
    }


def _owner_of(todos: TodoStore, todo_id: int) -> str:
    for_owner = todos.owner_of(todo_id)
    if for_owner is None:
        raise SkillError(
            f"There is no to-do #{todo_id}; `opsbot todo list --owner U` shows the ids.",
            f"没有编号为 #{todo_id} 的待办;`opsbot todo list --owner U` 可查看编号。",
        )
    return for_owner


def _today(owner: Owner | None, settings: Settings) -> date:
    zone = owner.tz if owner is not None else settings.default_timezone
    return local_day(datetime.now(UTC), parse_zone(zone))
