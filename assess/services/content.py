"""Store each version of the content once, so what was answered and scored stays known."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..content import ContentLibrary, Versioned
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
    items: list[tuple[ContentKind, str, Versioned[BaseModel]]] = [
        (ContentKind.EXERCISE, key, v) for key, v in library.exercises.items()  # type: ignore[misc]
    ] + [(ContentKind.SCORECARD, key, v) for key, v in library.scorecards.items()]  # type: ignore[misc]
    for kind, key, versioned in items:
        row, is_new = ensure_version(session, kind, key, versioned)
        if is_new:
            added.append(row)
        else:
            unchanged += 1
    session.commit()
    return SyncResult(added=added, unchanged=unchanged)


def stored_versions(session: Session) -> list[ContentVersion]:
    """Every stored version, newest first within each exercise."""
    query = select(ContentVersion).order_by(
        ContentVersion.key, ContentVersion.kind, ContentVersion.created_at.desc()
    )
    return list(session.scalars(query))
