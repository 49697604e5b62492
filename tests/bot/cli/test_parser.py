"""The grammar answers `--help` and mistakes without loading the bot: no database, model or Slack library."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("sqlalchemy", "pydantic_settings", "sklearn", "chromadb", "numpy", "openai", "slack_bolt")
PROBE = """
import json, sys
from bot.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {heavy} if m in sys.modules)), file=sys.stderr)
"""


def _loaded(*arguments: str) -> list[str]:
    probe = PROBE.format(heavy=repr(HEAVY))
    done = subprocess.run(
        [sys.executable, "-c", probe, *arguments], capture_output=True, text=True, check=False
    )
    return json.loads(done.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("arguments", [("--help",), ("--version",), ("todo", "--help"), ("todo", "list")])
def test_help_and_usage_errors_load_nothing_heavy(arguments: tuple[str, ...]) -> None:
    assert _loaded(*arguments) == [], "`todo list` without --owner is a usage error, answered by argparse"


def test_every_command_has_a_function_to_run() -> None:
    import importlib

    from bot.cli.main import COMMANDS
    from bot.cli.parser import build_parser

    [commands] = [action for action in build_parser()._actions if action.dest == "command"]
    assert set(commands.choices) == set(COMMANDS)  # type: ignore[arg-type]
    for target in COMMANDS.values():
        module, function = target.split(":")
        assert callable(getattr(importlib.import_module(module), function)), target


def test_version_comes_from_the_package_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib import metadata

    from bot.cli.parser import build_parser

    with pytest.raises(SystemExit) as leaving:
        build_parser().parse_args(["--version"])
    assert leaving.value.code == 0
    assert capsys.readouterr().out.strip() == f"opsbot {metadata.version('opsbot')}"
