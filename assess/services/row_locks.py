"""Rows held before a statement that writes them from what other rows say, or while a check of them must
stay true until commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session


def hold_rows(session: Session, model: Any, ids: Any) -> None:
    """Lock these rows of model (ids: a collection or a SELECT of ids), in id order, in a statement of their own.

    An UPDATE whose values are read from other tables reads them as they stood when it began, even when it then
    waits for a row another transaction holds; on PostgreSQL the second of two writers would store what it read
    before the first committed. Held first, in a statement of its own, the rows are free only once the first
    writer has committed, and the UPDATE that follows begins after it and reads what it wrote.
    """
    session.execute(select(model.id).where(model.id.in_(ids)).order_by(model.id).with_for_update(of=model))


def share_rows(session: Session, model: Any, ids: Any) -> list[Any]:
    """Read these rows of model afresh and keep them from being locked for update (a role change, say) until
    commit; plain updates of other columns still go ahead (FOR KEY SHARE)."""
    return list(session.scalars(select(model).where(model.id.in_(ids)).order_by(model.id)
                                .with_for_update(read=True, key_share=True, of=model)
                                .execution_options(populate_existing=True)))
