"""Where the console's lines come from: a terminal with line editing and history, or any stream."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO

log = logging.getLogger(__name__)


class LineReader(Protocol):
    def read(self, prompt: str) -> str | None:
        """The next line without its newline; None at the end of input."""


@dataclass
class StreamLines:
    """Lines from a stream (a pipe, a file, a test), the prompt echoed so a transcript reads well."""

    stream: TextIO
    output: TextIO

    def read(self, prompt: str) -> str | None:
        print(prompt, end="", file=self.output, flush=True)
        line = self.stream.readline()
        return line.rstrip("\n") if line else None


@dataclass
class TerminalLines:
    """A terminal's prompt with line editing and a history kept in the home (GNU readline)."""

    history: Path
    length: int = 1000

    def __post_init__(self) -> None:
        import readline

        self._readline = readline
        readline.set_history_length(self.length)
        with contextlib.suppress(OSError):  # no history yet, or unreadable: start a new one
            readline.read_history_file(self.history)

    def read(self, prompt: str) -> str | None:
        try:
            line = input(prompt)
        except EOFError:  # Ctrl-D
            return None
        self.save()
        return line

    def save(self) -> None:
        try:
            self.history.parent.mkdir(parents=True, exist_ok=True)
            self._readline.write_history_file(self.history)
        except OSError as error:
            log.warning("cannot keep the console history in %s (%s)", self.history, error.strerror)


REPLACEMENT = "\ufffd"
UNREADABLE_NOTE = (
    "Some of what you typed was not valid text in this terminal's encoding and shows as �; "
    "set the terminal to UTF-8 if the question reads wrong. / 部分输入无法识别(显示为 �),请把终端设为 UTF-8。"
)


def readable(line: str) -> str:
    """A line with bytes the terminal's encoding could not read (Python keeps them as lone
    surrogates) turned into U+FFFD, so they can be printed, stored and sent."""
    try:
        return line.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate that stands for no byte
        return line.encode("utf-8", "replace").decode("utf-8")
