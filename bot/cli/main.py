"""The `opsbot` entry point: parse the command line, run the command, and stand between any failure
and the person at the terminal.

Only the standard library is imported before the command is known: the grammar lives in
`bot.cli.parser`, and each command's module is imported when that command runs."""

from __future__ import annotations

import importlib
import logging
import os
import sys
import uuid
from collections.abc import Sequence

from bot.cli.output import EXIT_USAGE
from bot.cli.parser import build_parser

log = logging.getLogger("opsbot")

COMMANDS = {
    "serve": "bot.cli.serve:serve",
    "chat": "bot.cli.serve:chat",
    "ask": "bot.cli.documents:ask",
    "search": "bot.cli.documents:search",
    "ingest": "bot.cli.documents:ingest",
    "sources": "bot.cli.documents:sources",
    "forget": "bot.cli.documents:forget",
    "eval": "bot.cli.documents:evaluate",
    "funnel": "bot.cli.ops_math:funnel",
    "rfm": "bot.cli.ops_math:rfm",
    "tier": "bot.cli.ops_math:tier",
    "feedback": "bot.cli.feedback:run",
    "answers": "bot.cli.answers:run",
    "metrics": "bot.cli.metrics:run",
    "todo": "bot.cli.owners:run_todo",
    "owners": "bot.cli.owners:run_owners",
    "digest": "bot.cli.digest:run",
    "weekly": "bot.cli.weekly:run",
    "clients": "bot.cli.clients:run_clients",
    "goal": "bot.cli.goals:run",
    "health": "bot.cli.health:run",
    "renewal": "bot.cli.clients:run_renewal",
    "retro": "bot.cli.retro:run",
    "migrate": "bot.cli.database:migrate",
    "demo": "bot.cli.database:demo",
}
"""Each command's function, as `module:function`, imported when the command runs."""


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from sqlalchemy.exc import OperationalError

    from bot.core.config import SettingsError, load_settings
    from bot.core.logs import configure_logging
    from bot.storage.engine import database_unreachable
    from bot.storage.schema import SchemaOutdated

    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"opsbot: {error}", file=sys.stderr)
        return EXIT_USAGE
    command = args.command or ("serve" if settings.slack_bot_token or settings.multi_workspace else "chat")
    # A service logs to stderr; at a terminal the log goes to the home and only warnings show.
    log_file = None if command == "serve" else settings.home / "logs" / "opsbot.log"
    configure_logging(settings, log_file)
    try:
        module, function = COMMANDS[command].split(":")
        status = getattr(importlib.import_module(module), function)(settings, args)
        sys.stdout.flush()  # here, where a closed pipe can still be caught
        return int(status)
    except SettingsError as error:
        print(f"opsbot: {error}", file=sys.stderr)
        return EXIT_USAGE
    except SchemaOutdated as error:
        print(f"opsbot: {error}", file=sys.stderr)
        return EXIT_USAGE
    except OperationalError as error:
        print(f"opsbot: {database_unreachable(error)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _reader_left()
    except Exception:
        reference = uuid.uuid4().hex[:8]
        where = f"; the details are in {log_file}" if log_file else ""
        log.error(
            "`opsbot %s` failed unexpectedly (reference %s)%s", command, reference, where, exc_info=True
        )
        return 1


def _reader_left() -> int:
    """The output's reader went away (`opsbot sources | head -1`): stop quietly, as common tools do.
    stdout points at /dev/null so the interpreter's last flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
