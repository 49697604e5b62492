"""What every command shares for files and refusals: read a file, write one whole or not at all, and
refuse bad input the same way everywhere (JSON on stdout in --json mode, else one line on stderr)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from skills.errors import SkillError

EXIT_USAGE = 2


def read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise SkillError(
            f"Cannot read {path}: {error.strerror}.", f"无法读取 {path}:{error.strerror}。"
        ) from None


def write(path: str, data: bytes) -> None:
    """Whole file or nothing: written next to the target, then renamed over it."""
    target = Path(path)
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.write_bytes(data)
        partial.replace(target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise SkillError(
            f"Cannot write {path}: {error.strerror}.", f"无法写入 {path}:{error.strerror}。"
        ) from None


def days_ago(text: str | None, option: str) -> datetime | None:
    """The moment `7d` (or `30 days`) before now; None when not given. SkillError when it is not a
    number of days."""
    if not text:
        return None
    cleaned = text.strip().lower().removesuffix("days").removesuffix("day").removesuffix("d").strip()
    if not cleaned.isdigit() or int(cleaned) == 0:
        raise SkillError(
            f"{option} takes a number of days such as 7d, not {text!r}.",
            f"{option} 需要天数,例如 7d,而不是 {text!r}。",
        )
    return datetime.now(UTC) - timedelta(days=int(cleaned))


def refuse(message: str, as_json: bool) -> int:
    """Bad input: `{"error": …}` on stdout in JSON mode, else one line on stderr; exit status 2."""
    if as_json:
        print(json.dumps({"error": message}, ensure_ascii=False))
    else:
        print(f"opsbot: {message}", file=sys.stderr)
    return EXIT_USAGE


class IndexingBar:
    """The first indexing of the playbook as a progress bar on stderr, with what is happening and an
    estimate of the time left; nothing when stderr is not a terminal (tqdm decides)."""

    def __init__(self, what: str = "indexing the playbook") -> None:
        self._what = what
        self._bar: Any = None

    def start(self, total: int) -> None:
        from tqdm import tqdm

        self._bar = tqdm(
            total=total, unit="section", desc=f"opsbot: {self._what}", disable=None, file=sys.stderr
        )

    def advance(self, source: str, sections: int) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(source.rsplit("/", 1)[-1][-30:], refresh=False)
            self._bar.update(sections)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
