"""Changed content, as a reviewed edit to the files would ship it: a copy of the content with one file edited."""

from __future__ import annotations

import shutil
from pathlib import Path

from assess.config import PROJECT_ROOT
from assess.content import ContentLibrary, load_library

CONTENT_FOLDERS = ("exercises", "rubrics")


def copy_content(root: Path) -> Path:
    """Copy the shipped content under root and return root."""
    for folder in CONTENT_FOLDERS:
        shutil.copytree(PROJECT_ROOT / folder, root / folder)
    return root


def edited_library(root: Path, path: str, old: str, new: str) -> ContentLibrary:
    """The content loaded from a copy under root in which path (relative to the content) has old replaced by new."""
    copy_content(root)
    edited = root / path
    text = edited.read_text(encoding="utf-8")
    assert old in text, f"{path} does not contain {old!r}"
    edited.write_text(text.replace(old, new, 1), encoding="utf-8")
    return load_library(root)
