"""The content library an app serves, loaded and validated once at start-up."""

from __future__ import annotations

from flask import Flask, current_app

from .content import ContentLibrary, load_library


def init_app(app: Flask) -> None:
    # A ContentError here stops the app from starting, naming every broken file.
    app.extensions["assess.content"] = load_library(app.config["ASSESS"].content_dir)


def library() -> ContentLibrary:
    """The content library of the current app."""
    return current_app.extensions["assess.content"]
