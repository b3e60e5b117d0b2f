"""Which autosave wins, so that no save a candidate made is ever silently thrown away.

Every tab has an id and numbers its saves upwards; a reloaded page keeps its
tab's id and numbers, so a save still on its way from the page that unloaded
and the first save of the page that replaced it belong to one line of work.
Each save also names the revision its text grew from. A save may replace the
stored text when it continues the line that saved last, or grew from the
latest revision, or when the candidate chose to continue with this tab's text;
in that last case the text it replaces is kept as a copy. Any other save is
kept as a copy beside the attempt, never discarded, and the candidate chooses.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SaveVerdict(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"  # this very save arrived before (a retry or a resend after a reload)
    STALE = "stale"  # this tab already saved something newer; a late request lost the race
    OTHER_TAB = "other_tab"  # another tab saved text this one has not seen; this one is kept as a copy
    CLOSED = "closed"  # the deadline has passed or the work was submitted
    KEPT = "kept"  # text recovered from a tab that is gone, kept as a copy as it asked


@dataclass(frozen=True)
class StoredDraft:
    """What the server holds: a revision counter, and who saved last with which number."""

    revision: int
    client_id: str | None
    seq: int


@dataclass(frozen=True)
class SaveRequest:
    """One save as a tab sends it."""

    client_id: str
    seq: int
    base_revision: int
    take_over: bool = False


def judge_save(stored: StoredDraft | None, save: SaveRequest, *, is_open: bool) -> SaveVerdict:
    """Decide whether a save may replace the stored draft."""
    if not is_open:
        return SaveVerdict.CLOSED
    if stored is None:
        return SaveVerdict.ACCEPTED
    if stored.client_id == save.client_id:
        if save.seq > stored.seq:
            return SaveVerdict.ACCEPTED
        return SaveVerdict.DUPLICATE if save.seq == stored.seq else SaveVerdict.STALE
    if save.base_revision == stored.revision or save.take_over:
        return SaveVerdict.ACCEPTED
    return SaveVerdict.OTHER_TAB


def replaces_other_work(stored: StoredDraft | None, save: SaveRequest) -> bool:
    """True when an accepted save overwrites text it did not grow from, which must then be kept."""
    if stored is None or stored.client_id == save.client_id:
        return False
    return save.base_revision != stored.revision


def copy_is_newer(kept_seq: int | None, seq: int) -> bool:
    """A tab's kept copy is replaced by a later save of the same tab, or the same number sent again."""
    return kept_seq is None or seq >= kept_seq


def answer_length(text: str) -> int:
    """Count characters as the page does: code points, with a line break as one."""
    return len(text.replace("\r\n", "\n"))
