"""Logging set-up with a filter that keeps tokens and keys out of every log line."""

from __future__ import annotations

import logging
import re
from logging.handlers import RotatingFileHandler
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.core.config import Settings

_SECRET_PATTERNS = re.compile(
    r"(xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|sk-[A-Za-z0-9_-]{8,}|Bearer\s+[A-Za-z0-9._~+/=-]+)"
)
REDACTED = "[redacted]"


class RedactSecrets(logging.Filter):
    """Replaces anything shaped like a Slack token or an API key, and the configured secrets."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if len(secret) >= 6]

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return _SECRET_PATTERNS.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def _metrics_secrets(settings: Settings) -> list[str]:
    """The URL of the team's metrics database (OPSBOT_METRICS_SQL) and its password: no setting of
    their own, so without this the filter would not know them. A file that cannot be read is
    reported when the digest scheduler starts, not here."""
    if settings.metrics_sql is None:
        return []
    from bot.core.metrics_sql import load_source  # only when configured: it pulls in YAML

    try:
        url = load_source(settings.metrics_sql).url
        return [url, make_url(url).password or ""]
    except Exception:
        return []


class _OneLine(logging.Formatter):
    """The message alone, no traceback: what a person at a terminal reads (the log file has the rest)."""

    def format(self, record: logging.LogRecord) -> str:
        plain = logging.makeLogRecord(
            {**record.__dict__, "exc_info": None, "exc_text": None, "stack_info": None}
        )
        return super().format(plain)


def configure_logging(settings: Settings, log_file: Path | None = None) -> None:
    """Log to stderr, as a service does; with `log_file` (the command line and the console), the log
    goes to that file and the terminal shows warnings and errors as single lines."""
    secrets = [
        value.get_secret_value()
        for value in (
            settings.slack_bot_token,
            settings.slack_signing_secret,
            settings.slack_app_token,
            settings.slack_client_secret,
            settings.openai_api_key,
            settings.database_url,
        )
        if value is not None
    ]
    if settings.database_url is not None:  # its password alone may show up in a driver's message
        secrets.append(make_url(settings.database_url.get_secret_value()).password or "")
    secrets.extend(_metrics_secrets(settings))
    redact = RedactSecrets(secrets)
    full = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    terminal = logging.StreamHandler()
    terminal.addFilter(redact)
    handlers: list[logging.Handler] = [terminal]
    if log_file is None:
        terminal.setFormatter(full)
    else:
        terminal.setFormatter(_OneLine("opsbot: %(message)s"))
        terminal.setLevel(logging.WARNING)
        log_file.parent.mkdir(parents=True, exist_ok=True)
        to_file = RotatingFileHandler(log_file, maxBytes=5_000_000, backupCount=2, encoding="utf-8")
        to_file.setFormatter(full)
        to_file.addFilter(redact)
        handlers.append(to_file)
    root = logging.getLogger()
    for old in root.handlers:
        old.close()
    root.handlers = handlers
    root.setLevel(settings.log_level)
    for noisy in ("chromadb", "httpx", "urllib3", "waitress.queue", "jieba", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
