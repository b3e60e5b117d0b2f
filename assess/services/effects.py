"""The one door for side effects: intents written in the transaction, carried out by the worker.

A service that causes an outgoing effect (an email, a webhook call, an AI draft, a calibration to work out) writes it as a
row in the same transaction as the change that causes it, and calls `later(session, effect, row)`.
When that transaction commits, the door hands the row ids to whatever the app connected with
`connect` (the web app and the worker connect the task queue); a rollback forgets them, so a
change that did not happen causes nothing. The queue is only a nudge: the worker acts on what the
rows say, and a periodic job picks up every intent that was never handed over (queue down, worker
died), so nothing is lost.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)


class Effect(enum.StrEnum):
    MAIL = "mail"
    WEBHOOK = "webhook"
    AI_DRAFT = "ai_draft"
    CALIBRATION = "calibration"
    WORK_NOTICE = "work_notice"


# Hands the ids of one kind of intent to the worker; returns True when it carried them out at
# once in this process (then the rows have changed, and the caller's copies are reloaded).
Dispatch = Callable[[Effect, tuple[int, ...]], bool]

_DISPATCH = "assess.effects.dispatch"
_PENDING = "assess.effects.pending"
_REFUSED = "assess.effects.refused"
_HELD = "assess.effects.held"


def connect(session_info: MutableMapping[str, Any], dispatch: Dispatch) -> None:
    """Have sessions made with this info hand their committed intents to dispatch."""
    session_info[_DISPATCH] = dispatch


def connected(session_info: MutableMapping[str, Any]) -> Dispatch | None:
    """What sessions made with this info hand their intents to, if anything."""
    return session_info.get(_DISPATCH)


def later(session: Session, effect: Effect, row: Any) -> None:
    """Have the worker carry out the intent stored as row once this transaction commits."""
    if row.id is None:
        session.flush()
    pending: dict[Effect, list[Any]] = session.info.setdefault(_PENDING, {})
    pending.setdefault(effect, []).append(row)


@contextmanager
def held(session: Session, *kinds: Effect) -> Iterator[None]:
    """Within this block, intents of these kinds are not handed over as they commit: they wait for the periodic
    pick-up, or for the caller to carry them out together (a seed that makes many changes at once)."""
    session.info[_HELD] = frozenset(kinds)
    try:
        yield
    finally:
        session.info.pop(_HELD, None)


def commit(session: Session) -> dict[Effect, tuple[int, ...]]:
    """Commit; returns the intents the queue would not take (the periodic pick-up carries them out)."""
    session.info.pop(_REFUSED, None)
    session.commit()
    return session.info.pop(_REFUSED, {})  # type: ignore[no-any-return]


@event.listens_for(Session, "after_commit")
def _hand_over(session: Session) -> None:
    pending: dict[Effect, list[Any]] = session.info.pop(_PENDING, {})
    if not pending:
        return
    dispatch: Dispatch | None = session.info.get(_DISPATCH)
    held: frozenset[Effect] = session.info.get(_HELD, frozenset())
    for effect, rows in pending.items():
        ids = tuple(dict.fromkeys(row.id for row in rows))
        if effect in held:
            log.info("%d %s intent(s) held for the caller or the periodic pick-up", len(ids), effect)
            continue
        if dispatch is None:
            log.info("no task queue connected; %d %s intent(s) wait for the periodic pick-up", len(ids), effect)
            continue
        try:
            carried_out = dispatch(effect, ids)
        except Exception:  # the queue itself is down: the rows stay, the periodic pick-up sends them
            log.warning("could not queue %d %s intent(s); they wait for the periodic pick-up", len(ids), effect,
                        exc_info=True)
            session.info.setdefault(_REFUSED, {})[effect] = ids
            continue
        if carried_out:
            for row in rows:
                session.expire(row)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    # The outermost transaction ended without committing (a commit has already handed them over).
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
