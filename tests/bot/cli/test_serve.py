"""`opsbot chat` in a real pseudo-terminal, as a person meets it: styled replies, Ctrl-C that
cancels the line being typed, Ctrl-D that leaves with status 0, history kept, and Ctrl-C while
starting that leaves quietly."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pexpect

OPSBOT = Path(sys.executable).parent / "opsbot"
STARTUP_SECONDS = 120
LEFT_OUT = ("SLACK_", "OPENAI_", "OPSBOT_", "DATABASE_URL", "CHROMA_URL")


def _terminal_env(home: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith(LEFT_OUT)}
    return {**env, "OPSBOT_HOME": str(home), "TERM": "xterm-256color", "PYTHONUNBUFFERED": "1"}


def _spawn(home: Path, cwd: Path) -> pexpect.spawn:
    return pexpect.spawn(
        str(OPSBOT),
        ["chat"],
        env=_terminal_env(home),
        cwd=str(cwd),
        encoding="utf-8",
        timeout=STARTUP_SECONDS,
        dimensions=(40, 140),
    )


def test_chat_in_a_terminal_answers_styled_ctrl_c_cancels_the_line_and_ctrl_d_leaves(
    quiet_playbook_home: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    shutil.copytree(quiet_playbook_home, home)  # the playbook indexed: the console opens without indexing
    child = _spawn(home, tmp_path)
    try:
        child.expect_exact("you> ")
        child.sendline("复盘分哪几步?")
        child.expect_exact("回顾目标")
        child.expect_exact("you> ")
        assert "\x1b[" in child.before, "a terminal gets styles (bold, dim context lines)"
        child.send("half a question")
        child.expect_exact("half a question")  # echoed: the prompt is waiting for the rest
        child.sendintr()
        child.expect_exact("^C")
        child.expect_exact("you> ")
        child.sendline("/ops help")
        child.expect_exact("/ops ask")
        child.expect_exact("you> ")
        child.sendeof()
        child.expect(pexpect.EOF, timeout=30)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0, child.before
    assert "Traceback" not in (child.before or "")
    history = (home / "console_history").read_text(encoding="utf-8")
    assert "复盘分哪几步?" in history and "half a question" not in history


def test_ctrl_c_while_starting_leaves_quietly_with_status_0(tmp_path: Path) -> None:
    child = _spawn(tmp_path / "new home", tmp_path)  # a new home: the first indexing takes a while
    try:
        child.expect_exact("loading the language models")
        child.sendintr()
        child.expect_exact("stopped before the console opened")
        child.expect(pexpect.EOF, timeout=60)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    assert "Traceback" not in (child.before or "")
