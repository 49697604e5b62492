"""The slash commands the app registers are the ones Slack is told of."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.listeners.commands import SLASH_COMMANDS

MANIFEST = Path(__file__).resolve().parents[3] / "manifest.yml"


def test_the_manifest_declares_exactly_the_commands_the_app_handles() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    declared = [entry["command"] for entry in manifest["features"]["slash_commands"]]
    assert declared == list(SLASH_COMMANDS)
