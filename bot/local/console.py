"""The local console: the real app and listeners, with Slack replaced by a loopback Web API."""

from __future__ import annotations

import itertools
import json
import logging
import shlex
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console as Terminal
from rich.text import Text
from slack_bolt import App
from slack_bolt.request import BoltRequest

from bot.app import create_app
from bot.core.config import Settings
from bot.listeners.commands import SLASH_COMMANDS, SUBCOMMANDS
from bot.local.prompt import REPLACEMENT, UNREADABLE_NOTE, LineReader, StreamLines, readable
from bot.local.render import Choice, render_styled
from bot.local.slack_api import LOCAL_USER, TEAM_ID, LocalSlack
from bot.services import Services
from bot.slack.text import truncate
from knowledge.text import detect_language

log = logging.getLogger(__name__)
CONSOLE_USER = LOCAL_USER
CONSOLE_CHANNEL = "DLOCALCONSOLE"
CONSOLE_TOKEN = "xoxb-local-console"
ANSWER_TIMEOUT_SECONDS = 180.0
MAX_FOLDER_FILES = 50
MAX_FORM_TRIES = 3

BANNER = """opsbot local console — ask an ops question in Chinese or English, or type /ops help.
Type exit to leave. (Set SLACK_BOT_TOKEN to run in Slack instead; see docs/slack-setup.md.)"""


class Console:
    """Sends what you type to the app as a DM or a slash command and prints the bot's replies."""

    def __init__(self, settings: Settings, services: Services, output: TextIO | None = None) -> None:
        self.output = output or sys.stdout
        self.terminal = Terminal(file=self.output, highlight=False, markup=False, emoji=False, soft_wrap=True)
        """Prints the replies styled at a terminal and as plain text anywhere else (a pipe, a test)."""
        self.services = services
        self.slack = LocalSlack()
        base_url = self.slack.start()
        local_settings = settings.model_copy(update={"slack_api_base_url": base_url})
        self.app: App = create_app(local_settings, services, token=CONSOLE_TOKEN)
        self.app.logger.addFilter(_not_about_unknown_commands)
        self._ids = itertools.count(1)
        self._session = uuid.uuid4().hex[:12]
        """Event ids carry it: the ledger of handled events lives in the home and outlasts a session."""
        self._last_ts = 0.0
        self._conversation: str | None = None
        """The timestamp of the session's first question: later questions reply in its thread."""
        self.slack.admins.add(CONSOLE_USER)  # the person at the console runs this opsbot
        self._choices: list[Choice] = []
        self.ask: Callable[[str], str | None] | None = None
        """How a form asks its fields (set by `run`); without it, forms are only named."""
        """The buttons of the last replies, numbered as shown: typing a number presses one."""

    def close(self) -> None:
        self.app.logger.removeFilter(_not_about_unknown_commands)
        self.slack.stop()

    def send(self, line: str) -> list[str]:
        """Handle one line as Slack would and return what the bot said, rendered as plain text."""
        return [reply.plain for reply in self.exchange(line)]

    def exchange(self, line: str) -> list[Text]:
        """Handle one line as Slack would and return what the bot said, styled for a terminal. A
        command may name files by path (`/ops rfm ./orders.csv`, `/ops learn ./docs/`): they are
        shared first, as a person in Slack would; a folder runs the command once per file in it."""
        dropped = self._dropped_file(line)
        if dropped is not None:
            return self._send(line, files=[dropped[0]], text=dropped[1])
        if line.startswith("/"):
            line = _as_registered_command(line)
            lines = self._share_paths(line)
            if len(lines) > 1 or lines[0] != line:
                return [reply for shared in lines for reply in self._send(shared)]
        return self._send(line)

    def _share_paths(self, line: str) -> list[str]:
        """The command with each existing path replaced by the id of the file it shares."""
        command, _, text = line.partition(" ")
        try:
            words = shlex.split(text)
        except ValueError:  # an unclosed quote: not paths, leave the words to the command
            return [line]
        per_word: list[list[str]] = []
        for word in words:
            per_word.append(self._shared_ids(word) or [word])
        runs = max(len(options) for options in per_word) if per_word else 1
        return [
            " ".join([command, *(options[min(run, len(options) - 1)] for options in per_word)]).strip()
            for run in range(runs)
        ]

    def _shared_ids(self, word: str) -> list[str]:
        """The ids of the files `word` names (a file, or the files directly in a folder); none when
        it names nothing readable. Operators such as `/` in a funnel are words, not the root folder."""
        if not word.strip("/*.~") or not any(mark in word for mark in ("/", "\\", "~")):
            return []
        path = Path(word).expanduser()
        try:
            if path.is_file():
                return [self._share(path)]
            if path.is_dir():
                files = sorted(f for f in path.iterdir() if f.is_file() and not f.name.startswith("."))
                return [self._share(file) for file in files[:MAX_FOLDER_FILES]]
        except OSError:
            return []
        return []

    def _dropped_file(self, line: str) -> tuple[dict[str, Any], str] | None:
        """A line that starts with the path of a file (dragged into the terminal): the file shared in
        the DM with the rest of the line as its message, as in Slack; None for any other line."""
        try:
            words = shlex.split(line)
        except ValueError:
            return None
        if not words or not line.lstrip(" '\"").startswith(("/", "~", ".")):
            return None
        path = Path(words[0]).expanduser()
        try:
            if not path.is_file():
                return None
        except OSError:
            return None
        return self._shared_file(path), " ".join(words[1:])

    def _share(self, path: Path) -> str:
        return str(self._shared_file(path)["id"])

    def _shared_file(self, path: Path) -> dict[str, Any]:
        """The file as the person at the console would share it in the DM (its Slack file object)."""
        return self.slack.add_file(path.name, path.read_bytes(), user=CONSOLE_USER, channel=CONSOLE_CHANNEL)

    def _send(
        self, line: str, files: list[dict[str, Any]] | None = None, text: str | None = None
    ) -> list[Text]:
        before = self._snapshot()
        number = next(self._ids)
        if line.isdigit() and 1 <= int(line) <= len(self._choices):
            body = self._press(self._choices[int(line) - 1], number)
        elif line.startswith("/") and files is None:
            command, _, words = line.partition(" ")
            body: dict[str, Any] = {
                "command": command,
                "text": words.strip(),
                "user_id": CONSOLE_USER,
                "channel_id": CONSOLE_CHANNEL,
                "team_id": TEAM_ID,
                "response_url": self.slack.response_url(f"c{number}"),
                "trigger_id": f"trigger-{number}",
            }
        elif files:
            event = {
                "type": "message",
                "channel_type": "im",
                "channel": CONSOLE_CHANNEL,
                "user": CONSOLE_USER,
                "text": line if text is None else text,
                "ts": self._next_ts(),
                "subtype": "file_share",
                "files": files,
            }
            body = self._event(event, number)
        else:
            # The session is one conversation, as a DM thread in Slack: its first question starts
            # it, and later ones are replies, so "那第二步呢?" follows on from what came before.
            event = self.slack.add_user_message(
                CONSOLE_CHANNEL, line, CONSOLE_USER, self._conversation, "im", ts=self._next_ts()
            )
            self._conversation = self._conversation or str(event["ts"])
            body = self._event(event, number)
        response = self.app.dispatch(BoltRequest(body=body, mode="socket_mode"))
        if response.status == 404 and "command" in body:
            return [Text(_unknown_command(line))]
        rendered = self._replies(before, response.body)
        for view in self._opened_views(before):
            rendered.extend(self._fill_in(view))
        return rendered

    def _event(self, event: dict[str, Any], number: int) -> dict[str, Any]:
        return {
            "type": "event_callback",
            "team_id": TEAM_ID,
            "event_id": f"EvLOCAL{self._session}{number}",
            "event": event,
        }

    def _snapshot(self) -> tuple[dict[str, int], int, int]:
        """What Slack holds now, to tell the bot's new replies and forms from the old."""
        versions = {key: message.version for key, message in self.slack.messages.items()}
        return versions, len(self.slack.responses), len(self.slack.calls_to("views.open"))

    def _replies(self, before: tuple[dict[str, int], int, int], ack_body: str = "") -> list[Text]:
        """Everything the bot said since `before` (the ack, posts, edits, responses), rendered."""
        versions, responses_before, _ = before
        choices: list[Choice] = []
        rendered: list[Text] = []
        if ack_body:
            rendered.append(render_styled(json.loads(ack_body), choices))
        self.services.jobs.drain(timeout=ANSWER_TIMEOUT_SECONDS)
        for key, message in self.slack.messages.items():
            if message.author is None and versions.get(key, -1) != message.version:
                rendered.append(render_styled({**message.payload, "ts": message.ts}, choices))
        rendered.extend(
            render_styled(payload, choices) for payload in self.slack.responses[responses_before:]
        )
        if choices:
            self._choices = choices
        return [text for text in rendered if text.plain]

    def _opened_views(self, before: tuple[dict[str, int], int, int]) -> list[dict[str, Any]]:
        opened = self.slack.calls_to("views.open")[before[2] :]
        views = [call.params.get("view") for call in opened]
        return [json.loads(view) if isinstance(view, str) else dict(view or {}) for view in views]

    def _fill_in(self, view: dict[str, Any]) -> list[Text]:
        """A modal as prompts, field by field (Enter keeps the value shown, `cancel` drops the form),
        submitted as Slack would; fields the bot refuses are asked again with its reason."""
        title = str((view.get("title") or {}).get("text", "form"))
        if self.ask is None:
            return [Text(f"({title}: this needs a form; type it in the interactive console.)")]
        fields = [
            block
            for block in view.get("blocks", [])
            if block.get("type") == "input" and (block.get("element") or {}).get("type") == "plain_text_input"
        ]
        print(
            f"opsbot> {title}: one field at a time; Enter keeps [the value shown], `cancel` stops.",
            file=self.output,
        )
        values: dict[str, str | None] = {}
        errors: dict[str, str] = {}
        for _attempt in range(MAX_FORM_TRIES):
            for block in fields:
                block_id = str(block.get("block_id", ""))
                if errors and block_id not in errors:
                    continue
                if block_id in errors:
                    print(f"opsbot> ⚠ {errors[block_id]}", file=self.output)
                element = block["element"]
                shown = values.get(block_id) or element.get("initial_value") or ""
                label = str((block.get("label") or {}).get("text", block_id))
                hint = " (optional)" if block.get("optional") else ""
                default = f" [{truncate(' '.join(shown.split()), 60)}]" if shown else ""
                while True:
                    typed = self.ask(f"  {label}{hint}{default}: ")
                    if typed is None or typed.strip().lower() in ("cancel", "取消"):
                        return [Text("Form cancelled; nothing was saved.")]
                    values[block_id] = readable(typed).strip() or shown or None
                    if values[block_id] or block.get("optional"):
                        break
                    print("opsbot> This field is required (as in Slack); `cancel` stops.", file=self.output)
            before = self._snapshot()
            response = self.app.dispatch(
                BoltRequest(body=self._submission(view, fields, values), mode="socket_mode")
            )
            answer = json.loads(response.body) if response.body else {}
            if answer.get("response_action") != "errors":
                return self._replies(before)
            errors = {str(key): str(value) for key, value in (answer.get("errors") or {}).items()}
        return [Text("The form was refused three times; nothing was saved.")]

    def _submission(
        self, view: dict[str, Any], fields: list[dict[str, Any]], values: dict[str, str | None]
    ) -> dict[str, Any]:
        state = {
            str(block.get("block_id", "")): {
                str(block["element"].get("action_id", "value")): {
                    "type": "plain_text_input",
                    "value": values.get(str(block.get("block_id", ""))),
                }
            }
            for block in fields
        }
        return {
            **_interaction("view_submission", next(self._ids)),
            "view": {
                "id": view.get("id", "VLOCAL"),
                "type": "modal",
                "callback_id": view.get("callback_id", ""),
                "private_metadata": view.get("private_metadata", ""),
                "blocks": view.get("blocks", []),
                "state": {"values": state},
            },
        }

    def _press(self, choice: Choice, number: int) -> dict[str, Any]:
        """The click Slack would send for a button, or the pick for a menu's option, of a message
        the console showed."""
        action: dict[str, Any] = {
            "type": choice.button.get("type", "button"),
            "action_id": choice.button.get("action_id", ""),
            "block_id": choice.block_id,
        }
        if choice.option is None:
            action["value"] = choice.button.get("value", "")
        else:
            action["selected_option"] = choice.option
        return {
            **_interaction("block_actions", number),
            "container": {"type": "message", "message_ts": choice.message.get("ts", "")},
            "channel": {"id": CONSOLE_CHANNEL},
            "response_url": self.slack.response_url(f"a{number}"),
            "message": choice.message,
            "actions": [action],
        }

    def _next_ts(self) -> str:
        """A message timestamp as Slack makes them: the time, unique and increasing (the ledger
        also knows messages by their timestamp)."""
        self._last_ts = max(time.time(), self._last_ts + 0.000001)
        return f"{self._last_ts:.6f}"

    def run(self, lines: TextIO | LineReader) -> None:
        """Read and answer until `exit` or the end of input. Ctrl-C cancels the line being typed or
        the answer being waited for; it never ends the console."""
        reader = StreamLines(lines, self.output) if hasattr(lines, "readline") else lines
        self.ask = reader.read
        print(BANNER, file=self.output)
        while True:
            try:
                line = reader.read("\nyou> ")
            except KeyboardInterrupt:
                print("^C", file=self.output, flush=True)
                continue
            if line is None:
                break
            line = readable(line).strip()
            if line.lower() in LEAVE_WORDS:
                break
            if not line:
                continue
            if REPLACEMENT in line:
                print(f"opsbot> {UNREADABLE_NOTE}", file=self.output, flush=True)
            try:
                replies = self.exchange(line)
            except KeyboardInterrupt:
                replies = [Text(CANCELLED)]
            except Exception:
                reference = uuid.uuid4().hex[:8]
                log.error("the console could not handle a line (reference %s)", reference, exc_info=True)
                replies = [Text(f"Something went wrong (reference {reference}); the details are in the log.")]
            for text in replies:
                self.terminal.print(Text("opsbot> ", style=BOT_STYLE) + text)
        print(file=self.output, flush=True)


BOT_STYLE = "bold green"
LEAVE_WORDS = ("exit", "quit", "退出", "/exit", "/quit")
CANCELLED = "Cancelled. (An answer already on its way may still appear after your next line.)"


def _as_registered_command(line: str) -> str:
    """`/rfm ./orders.csv` as `/ops rfm ./orders.csv`: a subcommand typed as a command of its own is
    what the person meant; a registered command stays as typed (its name in lower case, as Slack
    sends it)."""
    command, _, rest = line.partition(" ")
    name = command.lower()
    if name[1:] in SUBCOMMANDS:
        return f"/ops {name[1:]} {rest}".rstrip()
    return f"{name} {rest}".rstrip()


def _unknown_command(line: str) -> str:
    """In Slack only the manifest's commands reach the app; at the console anything can be typed."""
    command, _, rest = line.partition(" ")
    if "/" in command[1:] or "." in command:  # a path dragged in that names no file
        if detect_language(rest) == "zh":
            return f"找不到文件 {command}。请检查路径,或把文件拖进来。"
        return f"There is no file at {command}. Check the path, or drag the file in."
    if detect_language(rest) == "zh":
        return f"没有 {command} 这个命令。可用的命令是 {' 和 '.join(SLASH_COMMANDS)},输入 /ops help 查看全部用法;也可以直接提问。输入 exit 退出。"
    known = " and ".join(SLASH_COMMANDS)
    return (
        f"{command} isn't an opsbot command. The commands are {known} (type /ops help for everything they "
        "do), or just ask a question. Type exit to leave."
    )


def _not_about_unknown_commands(record: logging.LogRecord) -> bool:
    """The console answers an unknown command itself; Bolt's advice to its developer is not for the
    person at the prompt."""
    return not (record.levelno == logging.WARNING and record.getMessage().startswith("Unhandled request"))


def _interaction(kind: str, number: int) -> dict[str, Any]:
    """What every interaction payload from the person at the console starts with."""
    return {
        "type": kind,
        "team": {"id": TEAM_ID},
        "user": {"id": CONSOLE_USER},
        "api_app_id": "ALOCAL",
        "trigger_id": f"trigger-{number}",
    }
