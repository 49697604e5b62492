"""Whether Slack still accepts opsbot's bot token, shared by the scheduled jobs of one workspace.

When Slack says the token is no good (revoked, app uninstalled, workspace or app deactivated), every
call fails the same way until someone reinstalls the app or sets a new SLACK_BOT_TOKEN. Retrying each
digest, reminder and summary every minute would only fill the log, so the first such error pauses the
scheduled jobs and is logged once as an ERROR; after that, at most every RECHECK, one `auth.test` asks
Slack whether the token works again, and the jobs resume by themselves when it does (no restart).
"""

from __future__ import annotations

import logging
import threading
import weakref
from datetime import UTC, datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)
RECHECK = timedelta(minutes=15)
AUTH_ERRORS = frozenset({"invalid_auth", "account_inactive", "token_revoked", "not_authed"})
"""Slack errors about the token itself, not about one recipient. With a bot token, Slack documents
`account_inactive` as "the token is for a deleted user or workspace": the app's own account."""


def auth_error(error: BaseException) -> str | None:
    """Slack's error code when `error` says the bot token is no good, else None."""
    if not isinstance(error, SlackApiError):
        return None
    code = str(error.response.get("error") or "")
    return code if code in AUTH_ERRORS else None


class SlackHealth:
    """One workspace's token state: `ready(now)` before a scan, `token_refused(code, now)` when Slack
    refused the token. Thread-safe: the three schedulers scan on their own threads."""

    def __init__(self, client: WebClient, recheck: timedelta = RECHECK) -> None:
        self._client = client
        self._recheck = recheck
        self._lock = threading.Lock()
        self._refused: str | None = None
        self._checked_at: datetime | None = None

    @property
    def paused(self) -> bool:
        """True while Slack refuses the token (a scan in progress stops at the next recipient)."""
        return self._refused is not None

    def token_refused(self, code: str, now: datetime | None = None) -> None:
        """Pause the scheduled jobs; only the first refusal of a streak is logged."""
        moment = now or datetime.now(UTC)
        with self._lock:
            if self._refused is not None:
                return
            self._refused, self._checked_at = code, moment
        log.error(
            "Slack refused opsbot's bot token (%s): scheduled digests, renewal reminders and weekly "
            "summaries are paused for this workspace. Reinstall the Slack app or set a new "
            "SLACK_BOT_TOKEN; opsbot checks again with auth.test every %d minutes and resumes by itself.",
            code,
            int(self._recheck.total_seconds() // 60),
        )

    def ready(self, now: datetime | None = None) -> bool:
        """Whether a scan may talk to Slack at `now`. While paused, at most one `auth.test` per
        RECHECK decides; other scans are skipped without a word."""
        moment = now or datetime.now(UTC)
        with self._lock:
            if self._refused is None:
                return True
            if self._checked_at is not None and moment - self._checked_at < self._recheck:
                return False
            self._checked_at = moment
            try:
                self._client.auth_test()
            except SlackApiError as error:
                code = auth_error(error)
                log.debug("auth.test still fails (%s); scheduled jobs stay paused", code or error)
                return False
            except Exception as error:  # Slack unreachable: no news about the token
                log.debug(
                    "auth.test could not be made (%s); scheduled jobs stay paused", type(error).__name__
                )
                return False
            refused, self._refused = self._refused, None
        log.warning(
            "Slack accepts opsbot's bot token again (it had said %s): scheduled jobs resume.", refused
        )
        return True


_SHARED: weakref.WeakKeyDictionary[WebClient, SlackHealth] = weakref.WeakKeyDictionary()
_SHARED_LOCK = threading.Lock()


def health_of(client: WebClient) -> SlackHealth:
    """The health shared by every scheduler using `client` (one bot token, one workspace), so a
    refused token is logged once and pauses all of them. Tied to the client's life, not global."""
    with _SHARED_LOCK:
        health = _SHARED.get(client)
        if health is None:
            health = _SHARED[client] = SlackHealth(client)
        return health
