from flask import Blueprint

from ...models import Role
from ..access import require_roles

bp = Blueprint("review", __name__, url_prefix="/review")
bp.before_request(require_roles(Role.INTERVIEWER))

from . import routes  # noqa: E402,F401
