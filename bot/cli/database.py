"""The home's database from the command line: `opsbot migrate` and `opsbot demo` (sample data)."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import OperationalError

from bot.cli.output import refuse
from bot.core.config import Settings


def demo(settings: Settings, args: argparse.Namespace) -> int:
    from bot.feedback.service import FeedbackService
    from bot.local.demo import run_demo
    from bot.storage.engine import create_db_engine
    from bot.storage.feedback import FeedbackStore
    from skills.errors import SkillError

    settings.home.mkdir(parents=True, exist_ok=True)
    engine = create_db_engine(settings.db_url)
    try:
        print(run_demo(engine, FeedbackService(FeedbackStore(engine)), args.lang))
    except SkillError as error:
        return refuse(error.message(args.lang), False)
    print(
        f"\n(sample data in {settings.home}; try `opsbot digest --owner UDEMOZH --json`, "
        "`opsbot renewal 华星科技` or `opsbot weekly`)",
        file=sys.stderr,
    )
    return 0


def migrate(settings: Settings, args: argparse.Namespace) -> int:
    """The root database, then (with several workspaces) each installed workspace's own."""
    from bot.storage.engine import create_db_engine
    from bot.storage.installations import installed_workspaces

    outdated = _migrate_one(settings.db_url, "database schema", args.check)
    if settings.multi_workspace and not settings.workspace:
        assert settings.slack_client_id is not None
        engine = create_db_engine(settings.root_db_url, prepare_schema=False)
        try:
            found = installed_workspaces(engine, settings.slack_client_id)
        except OperationalError:  # --check on a root database from before installations existed
            found = []
        for workspace in found:
            url = settings.for_workspace(workspace.team_id).db_url
            outdated |= _migrate_one(url, f"workspace {workspace.team_id}", args.check)
    return 1 if outdated else 0


def _migrate_one(url: str, label: str, check: bool) -> bool:
    """Migrate (or with `check`, only report) one database; True when it is behind."""
    from bot.storage.engine import create_db_engine
    from bot.storage.schema import current_revision, head_revision, migrate

    engine = create_db_engine(url, prepare_schema=False)
    head = head_revision()
    if check:
        with engine.connect() as connection:
            current = current_revision(connection)
        print(f"{label}: {current or 'none'}; opsbot needs {head}")
        return current != head
    before, after = migrate(engine)
    print(f"{label}: {before or 'none'} → {after}" if before != after else f"{label}: {after}, up to date")
    return False
