from flask import Blueprint

from ...models import Role
from ..access import require_roles

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(require_roles(Role.ADMIN))

from . import ai_use_views, ai_views, routes, staff_views  # noqa: E402,F401
