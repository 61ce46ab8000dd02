"""Events bound to a database transaction: delivered after COMMIT, dropped on rollback.

    publish_after_commit(session, PatientCreated(...), bus=bus)

records the event on the innermost transaction of `session` (an `AsyncSession` or a sync
`Session`). Delivery is driven by SQLAlchemy session events on the sync session, so it works
whoever commits (a request dependency, a CLI command, a test):

- a SAVEPOINT (`begin_nested`) that is released hands its events to the enclosing transaction;
- the outermost transaction's commit publishes them with `EventBus.publish_many()`: fire and
  forget, in the order they were raised, after the data is durable; the committing code never
  waits for the handlers and a handler failure cannot undo or fail the commit;
- any transaction that ends without committing (rollback, a savepoint rolled back, close, a
  failed commit) drops its events, and those of savepoints still open inside it.

`publish_many()` needs the event loop thread, which is where `AsyncSession` runs the commit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from loguru import logger
from sqlalchemy import event as sa_event
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from api_server.database.connection import READ_ONLY_SESSION
from api_server.event_bus.errors import NoTransactionError
from api_server.event_bus.events import BaseEvent
from api_server.event_bus.outbox import OUTBOX_CHANNEL, stage

if TYPE_CHECKING:
    from api_server.event_bus.bus import EventBus

__all__ = ["publish_after_commit"]

_PENDING = "api_server.event_bus.pending"  # key in Session.info
_STAGED = "api_server.event_bus.outbox_staged"  # key in Session.info: rows added since commit
_Pending = dict[SessionTransaction, list[tuple["EventBus", BaseEvent]]]


def publish_after_commit(
    session: AsyncSession | Session, event: BaseEvent, *, bus: EventBus
) -> None:
    """Deliver `event` through `bus` once the session's outermost transaction commits.

    Raises:
        NoTransactionError: the session has no transaction in progress (nothing to bind to).
    """
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    if sync.info.get(READ_ONLY_SESSION):
        raise NoTransactionError(
            f"cannot bind {type(event).__qualname__} to a read session (GET/HEAD/OPTIONS, "
            "GraphQL queries): it never commits; change data in a write session"
        )
    transaction = sync.get_nested_transaction() or sync.get_transaction()
    if transaction is None:
        raise NoTransactionError(
            f"cannot bind {type(event).__qualname__} to a transaction: the session has none in "
            "progress; raise it after the first query, or inside session.begin()"
        )
    pending: _Pending | None = sync.info.get(_PENDING)
    if pending is None:
        pending = sync.info[_PENDING] = {}
        sa_event.listen(sync, "after_commit", _after_commit)
        sa_event.listen(sync, "after_transaction_end", _after_transaction_end)
    pending.setdefault(transaction, []).append((bus, event))
    if bus.outbox is not None:
        stage(sync, event)  # durable: the row commits (or not) with the change
        if not sync.info.get(_STAGED):
            sync.info[_STAGED] = True
            if not sa_event.contains(sync, "before_commit", _notify_relays):
                sa_event.listen(sync, "before_commit", _notify_relays)


def _notify_relays(session: Session) -> None:
    # PostgreSQL delivers a NOTIFY when (and only if) its transaction commits: the relays of
    # every instance (and of none when this rolls back) wake at once. SQLite: polling.
    if session.info.pop(_STAGED, False) and session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"NOTIFY {OUTBOX_CHANNEL}"))


def _after_commit(session: Session) -> None:
    # Fired for the outermost commit and for every SAVEPOINT release, before the transaction
    # closes. A savepoint being released is still the session's innermost nested transaction.
    pending: _Pending = session.info[_PENDING]
    nested = session.get_nested_transaction()
    if nested is not None:
        events = pending.pop(nested, None)
        if events:
            pending.setdefault(_enclosing_boundary(nested), []).extend(events)
        return
    root = session.get_transaction()
    events = pending.pop(root, None) if root is not None else None
    if events:
        _deliver(events)


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_STAGED, None)  # rolled back: nothing to announce
    # Committed events were popped in `_after_commit`; anything left here was rolled back.
    events = session.info[_PENDING].pop(transaction, None)
    if events:
        logger.debug(
            "transaction ended without commit: {} event(s) dropped ({})",
            len(events),
            ", ".join(sorted({type(event).__qualname__ for _, event in events})),
        )


def _enclosing_boundary(transaction: SessionTransaction) -> SessionTransaction:
    """The savepoint or root transaction that owns `transaction`'s work once it is released."""
    boundary = transaction.parent
    while boundary is not None and not boundary.nested and boundary.parent is not None:
        boundary = boundary.parent
    if boundary is None:  # SQLAlchemy never releases a savepoint outside a transaction
        raise RuntimeError("a released savepoint has no enclosing transaction")
    return boundary


def _deliver(events: list[tuple[EventBus, BaseEvent]]) -> None:
    by_bus: dict[int, tuple[EventBus, list[BaseEvent]]] = {}
    for bus, event in events:
        by_bus.setdefault(id(bus), (bus, []))[1].append(event)
    for bus, batch in by_bus.values():
        if bus.outbox is not None:
            bus.outbox.notify()  # this instance's relay delivers the new rows now
        try:
            bus.publish_many(batch)
        except RuntimeError as error:  # no running loop: a sync Session outside the loop thread
            # The commit already happened and must not be reported as failed; say loudly what
            # was lost instead.
            logger.opt(exception=error).error(
                "{} committed event(s) could not be published", len(batch)
            )
