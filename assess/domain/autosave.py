"""Which autosave wins, so an older save or a second tab never overwrites newer work."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SaveVerdict(StrEnum):
    ACCEPTED = "accepted"
    STALE = "stale"  # this tab already saved something newer; a late request lost the race
    OTHER_TAB = "other_tab"  # another tab or window saved work this tab has not seen
    CLOSED = "closed"  # the deadline has passed or the work was submitted


@dataclass(frozen=True)
class StoredDraft:
    """What the server holds: a revision counter, and who saved last with which number."""

    revision: int
    client_id: str | None
    seq: int


def judge_save(
    stored: StoredDraft | None,
    *,
    client_id: str,
    seq: int,
    base_revision: int,
    is_open: bool,
) -> SaveVerdict:
    """Decide whether a save may replace the stored draft.

    Each tab has its own id and numbers its saves upwards; it also sends the
    revision it last saw (from loading the page or from its last accepted
    save). The tab that saved last may go on saving, and only a higher number
    than its last one counts, so a retried or delayed older request is
    ignored. Any other tab may save only if it has seen the latest revision;
    otherwise the candidate is told another copy is newer instead of one tab
    silently overwriting the other.
    """
    if not is_open:
        return SaveVerdict.CLOSED
    if stored is None:
        return SaveVerdict.ACCEPTED
    if stored.client_id == client_id:
        return SaveVerdict.ACCEPTED if seq > stored.seq else SaveVerdict.STALE
    if base_revision == stored.revision:
        return SaveVerdict.ACCEPTED
    return SaveVerdict.OTHER_TAB
