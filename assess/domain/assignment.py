"""Share the scoring out: balance load, enough interviewers each, nobody sees all of one candidate."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .scoring import disagreements


@dataclass(frozen=True)
class WorkItem:
    """Something to score: one candidate's submission or live stage."""

    item_id: int
    candidate_id: int
    assigned: frozenset[int] = frozenset()  # interviewers already on it


@dataclass(frozen=True)
class Plan:
    pairs: list[tuple[int, int]]  # (item id, interviewer id) to add
    short: list[int]  # items that could not get enough interviewers


def plan_assignments(
    items: Sequence[WorkItem],
    interviewers: Sequence[int],
    per_item: int,
    load: Mapping[int, int] | None = None,
    wanted: Mapping[int, int] | None = None,
) -> Plan:
    """Add interviewers until each item has per_item of them (or as many as wanted says for that item).

    The least-loaded interviewer goes first. Nobody is given every piece of
    one candidate's work while someone else could take a piece, so each
    candidate is read by more than one pair of eyes.
    """
    current: Counter[int] = Counter({i: 0 for i in interviewers})
    current.update(load or {})
    seen_by: dict[int, Counter[int]] = defaultdict(Counter)
    items_of: dict[int, int] = Counter(item.candidate_id for item in items)
    for item in items:
        seen_by[item.candidate_id].update(item.assigned)
    pairs: list[tuple[int, int]] = []
    short: list[int] = []
    for item in sorted(items, key=lambda i: (i.candidate_id, i.item_id)):
        on_item = set(item.assigned)
        needed = (wanted or {}).get(item.item_id, per_item) - len(on_item)
        while needed > 0:
            choice = _pick(interviewers, on_item, current, seen_by[item.candidate_id], items_of[item.candidate_id])
            if choice is None:
                short.append(item.item_id)
                break
            pairs.append((item.item_id, choice))
            on_item.add(choice)
            current[choice] += 1
            seen_by[item.candidate_id][choice] += 1
            needed -= 1
    return Plan(pairs=pairs, short=short)


def _pick(
    interviewers: Iterable[int], taken: set[int], load: Counter[int], seen: Counter[int], total: int
) -> int | None:
    free = [i for i in interviewers if i not in taken]
    if not free:
        return None
    # Someone who would then hold all of this candidate's work goes last.
    def rank(interviewer: int) -> tuple[int, int, int, int]:
        would_see_all = int(total > 1 and seen[interviewer] + 1 >= total)
        return (would_see_all, seen[interviewer], load[interviewer], interviewer)

    return min(free, key=rank)


def another_wanted(gap: int | None, per_item: int, assigned: int, unfinished: int,
                   scores_by_rater: Mapping[str, Mapping[str, int | None]]) -> bool:
    """Whether a piece of work should get one more interviewer than the opening asks for: the opening asks for
    that on a disagreement of gap points or more, every scorecard asked for is in, and two of them are that far
    apart on a dimension. Once someone beyond the number asked for is on it, no more are added by themselves."""
    if gap is None or unfinished or assigned != per_item:
        return False
    return bool(disagreements(scores_by_rater, gap))
