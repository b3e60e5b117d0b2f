"""Store each version of the content once, so what was answered and scored stays known."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..content import ContentLibrary, Versioned
from ..content.schema import Benchmark, Exercise, Scorecard
from ..models import ContentKind, ContentVersion


@dataclass(frozen=True)
class SyncResult:
    added: list[ContentVersion]
    unchanged: int


def _title(kind: ContentKind, versioned: Versioned[BaseModel]) -> str:
    return str(getattr(versioned.content, "title", kind.value))


def ensure_version(
    session: Session, kind: ContentKind, key: str, versioned: Versioned[BaseModel]
) -> tuple[ContentVersion, bool]:
    """Find the stored row of this exact version, adding it if it is new."""
    row = session.scalar(
        select(ContentVersion).where(
            ContentVersion.kind == kind, ContentVersion.content_hash == versioned.content_hash
        )
    )
    if row is not None:
        return row, False
    row = ContentVersion(
        kind=kind,
        key=key,
        content_hash=versioned.content_hash,
        title=_title(kind, versioned),
        body=versioned.as_json(),
    )
    session.add(row)
    session.flush()
    return row, True


def sync_library(session: Session, library: ContentLibrary) -> SyncResult:
    """Store every exercise and scorecard version of the library that is not stored yet."""
    added: list[ContentVersion] = []
    unchanged = 0
    for kind, key, versioned in _versions(library):
        row, is_new = ensure_version(session, kind, key, versioned)
        if is_new:
            added.append(row)
        else:
            unchanged += 1
    session.commit()
    return SyncResult(added=added, unchanged=unchanged)


def benchmark_key(exercise_key: str, benchmark_key: str) -> str:
    return f"{exercise_key}/{benchmark_key}"


def _versions(library: ContentLibrary) -> Iterator[tuple[ContentKind, str, Versioned[BaseModel]]]:
    for key, exercise in library.exercises.items():
        yield ContentKind.EXERCISE, key, exercise  # type: ignore[misc]
        yield ContentKind.SCORECARD, key, library.scorecard(key)  # type: ignore[misc]
        for name, benchmark in library.benchmarks.get(key, {}).items():
            yield ContentKind.BENCHMARK, benchmark_key(key, name), benchmark  # type: ignore[misc]


def current_hashes(library: ContentLibrary) -> set[str]:
    """The hashes of the versions the running content consists of."""
    return {versioned.content_hash for _, _, versioned in _versions(library)}


_MODELS: dict[ContentKind, type[BaseModel]] = {
    ContentKind.EXERCISE: Exercise,
    ContentKind.SCORECARD: Scorecard,
    ContentKind.BENCHMARK: Benchmark,
}


# Parsed versions by kind and hash: a version never changes, and its hash names its body, so a process
# parses each one once and need not read its body again (a caller may defer it).
_PARSED: dict[tuple[ContentKind, str], BaseModel] = {}
_MOST_PARSED = 512


def _stored(version: ContentVersion, kind: ContentKind) -> BaseModel:
    if version.kind is not kind:
        raise ValueError(f"content version {version.id} is a {version.kind.value}, not a {kind.value}")
    key = (kind, version.content_hash)
    parsed = _PARSED.get(key)
    if parsed is None:
        parsed = _MODELS[kind].model_validate_json(json.dumps(version.body))
        if len(_PARSED) >= _MOST_PARSED:  # far more versions than content ever has: start again
            _PARSED.clear()
        _PARSED[key] = parsed
    return parsed


def exercise_of(version: ContentVersion) -> Exercise:
    """The exercise exactly as stored in this version, whatever the files say today."""
    return _stored(version, ContentKind.EXERCISE)  # type: ignore[return-value]


def scorecard_of(version: ContentVersion) -> Scorecard:
    """The scorecard (dimensions, anchors, signals) exactly as stored in this version."""
    return _stored(version, ContentKind.SCORECARD)  # type: ignore[return-value]


def benchmark_of(version: ContentVersion) -> Benchmark:
    """The benchmark answer and its reference scores exactly as stored in this version."""
    return _stored(version, ContentKind.BENCHMARK)  # type: ignore[return-value]


def stored_versions(session: Session) -> list[ContentVersion]:
    """Every stored version, newest first within each exercise."""
    query = select(ContentVersion).order_by(
        ContentVersion.key, ContentVersion.kind, ContentVersion.created_at.desc()
    )
    return list(session.scalars(query))
