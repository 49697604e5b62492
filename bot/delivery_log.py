"""The delivery log: one row per (owner, local day, kind), so a digest is sent once per day across
restarts, retries and several bot processes.

A sender claims the key before sending (the unique key makes a second claim fail) and gets a token;
only the token's holder may record the message as sent, give the claim back after a failure that a
later scan may retry, or mark it failed for good (the owner's account is gone, say). A claim left
by a process that died mid-send is taken over, with a new token, after STALE_CLAIM: the one case
that can send twice is a process dying between Slack accepting the message and the log recording it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from slack_sdk.errors import SlackApiError
from sqlalchemy import Date, DateTime, String, UniqueConstraint, delete, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from bot.slack_health import SlackHealth, auth_error
from bot.storage import Base

log = logging.getLogger(__name__)
STALE_CLAIM = timedelta(minutes=10)
PERMANENT_ERRORS = frozenset(
    {
        "user_not_found",
        "user_disabled",
        "channel_not_found",
        "cannot_dm_bot",
        "not_allowed",
    }
)
"""Slack errors about one recipient that will not pass by retrying on the same day. Not
`account_inactive`: with a bot token Slack means the token's own workspace or app (see
bot.slack_health), which pauses every scheduled job instead of giving up on one person."""


class Delivery(Base):
    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("owner", "day", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    owner: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    """sending, sent or failed."""
    token: Mapped[str] = mapped_column(String(32), default="")
    error: Mapped[str | None] = mapped_column(String(100), nullable=True)
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    channel: Mapped[str | None] = mapped_column(String(64), nullable=True)
    ts: Mapped[str | None] = mapped_column(String(32), nullable=True)


class DeliveryLog:
    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def claim(self, owner: str, day: date, kind: str, now: datetime | None = None) -> str | None:
        """A token when this caller should send; None when it was sent, failed for good, or another
        sender holds a fresh claim."""
        moment = now or datetime.now(UTC)
        token = uuid.uuid4().hex
        with self._sessions() as session:
            try:
                session.add(
                    Delivery(
                        owner=owner, day=day, kind=kind, status="sending", claimed_at=moment, token=token
                    )
                )
                session.commit()
                return token
            except IntegrityError:
                session.rollback()
            taken = session.execute(
                update(Delivery)
                .where(*self._key(owner, day, kind), Delivery.status == "sending")
                .where(Delivery.claimed_at < moment - STALE_CLAIM)
                .values(claimed_at=moment, token=token)
            )
            session.commit()
            return token if (taken.rowcount or 0) == 1 else None

    @staticmethod
    def _key(owner: str, day: date, kind: str) -> tuple:  # type: ignore[type-arg]
        return (Delivery.owner == owner, Delivery.day == day, Delivery.kind == kind)

    def sent(self, owner: str, day: date, kind: str, token: str, channel: str, ts: str) -> None:
        self._finish(owner, day, kind, token, status="sent", channel=channel, ts=ts)

    def failed(self, owner: str, day: date, kind: str, token: str, error: str) -> None:
        """Give up on this day (a permanent error): no retry until the next day."""
        self._finish(owner, day, kind, token, status="failed", error=error[:100])

    def _finish(self, owner: str, day: date, kind: str, token: str, **values: str) -> None:
        with self._sessions() as session:
            session.execute(
                update(Delivery).where(*self._key(owner, day, kind), Delivery.token == token).values(**values)
            )
            session.commit()

    def release(self, owner: str, day: date, kind: str, token: str) -> None:
        """Sending failed for a reason that may pass: the next scan may try again."""
        with self._sessions() as session:
            session.execute(
                delete(Delivery).where(
                    *self._key(owner, day, kind), Delivery.status == "sending", Delivery.token == token
                )
            )
            session.commit()

    def sent_count(self, kind: str, day: date | None = None) -> int:
        query = (
            select(func.count()).select_from(Delivery).where(Delivery.kind == kind, Delivery.status == "sent")
        )
        if day is not None:
            query = query.where(Delivery.day == day)
        with self._sessions() as session:
            return int(session.scalar(query) or 0)

    def settled(self, kind_prefix: str, days: set[date] | None = None) -> set[tuple[str, date, str]]:
        """(owner, day, kind) of the deliveries sent or failed for good whose kind starts with
        `kind_prefix` (on `days` only, when given): one query, so a scan need not try to claim each
        of them again. Claims still being sent are left out: `claim` takes them over once stale."""
        query = select(Delivery.owner, Delivery.day, Delivery.kind).where(
            Delivery.kind.startswith(kind_prefix), Delivery.status != "sending"
        )
        if days is not None:
            query = query.where(Delivery.day.in_(sorted(days)))
        with self._sessions() as session:
            return {(owner, day, kind) for owner, day, kind in session.execute(query)}

    def last_sent(self, owner: str, kind: str) -> Delivery | None:
        query = (
            select(Delivery)
            .where(Delivery.owner == owner, Delivery.kind == kind, Delivery.status == "sent")
            .order_by(Delivery.day.desc())
        )
        with self._sessions() as session:
            return session.scalars(query).first()


def deliver_once(
    delivery_log: DeliveryLog,
    owner: str,
    day: date,
    kind: str,
    token: str,
    post: Callable[[], tuple[str, str]],
    health: SlackHealth | None = None,
    now: datetime | None = None,
) -> bool:
    """Run `post` (which returns Slack's channel and ts) for a claim held with `token`. A Slack error
    that will not pass (the account or channel is gone) ends the tries for that key; any other failure
    gives the claim back for the next scan. Once Slack has the message the claim is never given back,
    so a failure to record it cannot cause a second message. When Slack refuses the token itself,
    the claim is given back (the message goes out once the token works again) and `health` pauses
    the scheduled jobs (from `now`, the scan's clock), logging it once."""
    try:
        channel, ts = post()
    except SlackApiError as error:
        code = str(error.response.get("error") or "")
        if auth_error(error) is not None:
            delivery_log.release(owner, day, kind, token)
            if health is not None:
                health.token_refused(code, now)
            else:
                log.error(
                    "the %s for %s (%s) was not sent: Slack refused the bot token (%s); "
                    "reinstall the Slack app or set a new SLACK_BOT_TOKEN",
                    kind,
                    owner,
                    day,
                    code,
                )
        elif code in PERMANENT_ERRORS:
            delivery_log.failed(owner, day, kind, token, code)
            log.warning("no %s for %s on %s: Slack says %s (not retried for it)", kind, owner, day, code)
        else:
            delivery_log.release(owner, day, kind, token)
            log.warning("the %s for %s (%s) failed (%s); the next scan retries", kind, owner, day, code)
        return False
    except Exception:
        delivery_log.release(owner, day, kind, token)
        log.exception("the %s for %s (%s) was not sent; the next scan retries", kind, owner, day)
        return False
    try:
        delivery_log.sent(owner, day, kind, token, channel, ts)
    except Exception:
        log.exception("the %s for %s (%s) was sent but not recorded", kind, owner, day)
    return True
