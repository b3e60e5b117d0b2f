"""Store benchmark submissions as content versions of their own.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 19:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _kind(*values: str) -> sa.Enum:
    return sa.Enum(*values, name="content_kind", native_enum=False, create_constraint=True, length=32)


OLD_KINDS = ("exercise", "scorecard")
NEW_KINDS = ("exercise", "scorecard", "benchmark")


def upgrade() -> None:
    with op.batch_alter_table("content_versions") as batch_op:
        batch_op.alter_column("kind", existing_type=_kind(*OLD_KINDS), type_=_kind(*NEW_KINDS))
        batch_op.alter_column(
            "key", existing_type=sa.String(length=64), type_=sa.String(length=130)
        )


def downgrade() -> None:
    op.execute("DELETE FROM content_versions WHERE kind = 'benchmark'")
    with op.batch_alter_table("content_versions") as batch_op:
        batch_op.alter_column("kind", existing_type=_kind(*NEW_KINDS), type_=_kind(*OLD_KINDS))
        batch_op.alter_column(
            "key", existing_type=sa.String(length=130), type_=sa.String(length=64)
        )
