"""The JSON API for applicant-tracking systems, under /api/v1, authorised by scoped bearer tokens."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import openapi, routes  # noqa: E402,F401
