"""Whether Slack answers this process: checked at start, retried while it cannot be reached.

A server started while Slack is unreachable (a wrong SLACK_API_BASE_URL, a proxy or DNS down) says so
in one line naming Slack, the address and the reason, and keeps trying with a capped exponential
backoff; `/healthz` stays 503 with that reason until Slack answers once. A refused token is another
matter: retrying cannot help, so the server says which setting to check and stops.
"""

from __future__ import annotations

import logging
import threading
import urllib.error
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

FIRST_DELAY_SECONDS = 1.0
MAX_DELAY_SECONDS = 60.0
TOKEN_REFUSED = frozenset(
    {"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive", "no_permission"}
)


class SlackConnection:
    """`ready` once auth.test has succeeded; `problem` says what is wrong until then."""

    def __init__(
        self,
        client: WebClient,
        on_token_refused: Callable[[str], None],
        first_delay: float = FIRST_DELAY_SECONDS,
        max_delay: float = MAX_DELAY_SECONDS,
    ) -> None:
        # Its own client: no retries of its own (the backoff is here) and no log line per failed
        # call (the one line per attempt is here, naming Slack and the reason).
        quiet = logging.getLogger(f"{__name__}.calls")
        quiet.setLevel(logging.CRITICAL)
        self._client = WebClient(
            token=client.token, base_url=client.base_url, timeout=10, logger=quiet, retry_handlers=[]
        )
        self._on_token_refused = on_token_refused
        self._first_delay = first_delay
        self._max_delay = max_delay
        self._ready = threading.Event()
        self._stopped = threading.Event()
        self.problem: str | None = "Slack has not been checked yet"

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    def start(self) -> None:
        threading.Thread(target=self._connect, name="slack-connection", daemon=True).start()

    def wait(self) -> bool:
        """Block until Slack has answered (True) or the token was refused or `stop` called (False)."""
        while not self._ready.wait(0.5):
            if self._stopped.is_set():
                return False
        return True

    def stop(self) -> None:
        self._stopped.set()

    def _connect(self) -> None:
        address = self._client.base_url
        delay = self._first_delay
        while not self._stopped.is_set():
            try:
                self._client.auth_test()
            except SlackApiError as error:
                code = str(error.response.get("error", "an error"))
                if code in TOKEN_REFUSED:
                    self.problem = f"Slack at {address} refused the bot token ({code})"
                    log.error("%s: check SLACK_BOT_TOKEN; retrying cannot help, stopping", self.problem)
                    self._stopped.set()
                    self._on_token_refused(self.problem)
                    return
                reason = code
            except (urllib.error.URLError, OSError, TimeoutError) as error:
                reason = _reason(error)
            else:
                self.problem = None
                self._ready.set()
                log.info("Slack answered at %s", address)
                return
            self.problem = f"cannot reach Slack at {address}: {reason}"
            log.warning("%s; retrying in %g s", self.problem, delay)
            self._stopped.wait(delay)
            delay = min(delay * 2, self._max_delay)


def _reason(error: BaseException) -> str:
    """`connection refused`, `timed out`, `Name or service not known`: the cause, not the wrapper."""
    cause = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(cause, BaseException):
        text = getattr(cause, "strerror", None) or str(cause) or type(cause).__name__
    else:
        text = str(cause)
    return text[0].lower() + text[1:] if text else type(error).__name__
