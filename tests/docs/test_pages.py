"""The README and docs/ stay true to the code: every setting and command is documented, every link
resolves, and the README stays short enough to read in five minutes."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from markdown_it import MarkdownIt

from bot.cli.parser import build_parser
from bot.core.config import Settings

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
README_LIMIT = 12 * 1024


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _commands() -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """`opsbot serve`, `opsbot feedback merge`…: every command and subcommand the parser knows."""
    for name, command in _subparsers(build_parser()).items():
        yield f"opsbot {name}", command
        for action, parser in _subparsers(command).items():
            yield f"opsbot {name} {action}", parser


def _options(parser: argparse.ArgumentParser) -> list[str]:
    return [
        option for action in parser._actions for option in action.option_strings if option.startswith("--")
    ]


def _slug(heading: str) -> str:
    """The anchor a Markdown renderer gives a heading: lowercased, punctuation dropped, spaces to dashes."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    tokens = MarkdownIt().parse(page.read_text(encoding="utf-8"))
    return {
        _slug(tokens[index + 1].content) for index, token in enumerate(tokens) if token.type == "heading_open"
    }


def _links(page: Path) -> Iterator[str]:
    for token in MarkdownIt().parse(page.read_text(encoding="utf-8")):
        for child in token.children or ():
            if child.type == "link_open":
                yield str(child.attrs["href"])


def test_readme_is_short_and_starts_with_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) <= README_LIMIT
    first_block = text.split("```")[1]
    assert "make run" in first_block and "make test" in first_block
    assert "\n## " not in text.split("```")[0]


def test_every_setting_is_on_the_settings_page() -> None:
    page = (DOCS / "settings.md").read_text(encoding="utf-8")
    names = [field.alias for field in Settings.model_fields.values() if field.alias]
    assert names
    missing = [name for name in names if f"`{name}`" not in page]
    assert not missing, f"settings not in docs/settings.md: {missing}"


def test_every_command_is_on_the_command_line_page() -> None:
    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    commands = dict(_commands())
    assert "opsbot feedback merge" in commands
    missing = [command for command in commands if not re.search(re.escape(command) + r"\b", page)]
    assert not missing, f"commands not in docs/cli.md: {missing}"
    unnamed = [
        f"{command} {option}"
        for command, parser in commands.items()
        for option in _options(parser)
        if option != "--help" and not re.search(re.escape(option) + r"\b", page)
    ]
    assert not unnamed, f"options not in docs/cli.md: {unnamed}"


def test_every_page_is_linked_from_the_readme() -> None:
    linked = {urlsplit(link).path for link in _links(README)}
    missing = [page.name for page in PAGES if f"docs/{page.name}" not in linked]
    assert not missing, f"docs pages the README does not link: {missing}"


@pytest.mark.parametrize("page", [README, *PAGES], ids=lambda page: page.relative_to(ROOT).as_posix())
def test_relative_links_resolve(page: Path) -> None:
    broken = []
    for link in _links(page):
        parts = urlsplit(link)
        if parts.scheme or parts.netloc:
            continue
        target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
        if not target.exists() or (
            parts.fragment and target.suffix == ".md" and unquote(parts.fragment) not in _anchors(target)
        ):
            broken.append(link)
    assert not broken, f"links that lead nowhere: {broken}"
