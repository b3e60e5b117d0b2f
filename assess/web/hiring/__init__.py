from flask import Blueprint

from ...models import Role
from ..access import require_roles

bp = Blueprint("hiring", __name__, url_prefix="/hiring")
bp.before_request(require_roles(Role.HIRING_MANAGER, Role.ADMIN))

from . import routes  # noqa: E402,F401
