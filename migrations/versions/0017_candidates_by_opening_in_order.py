"""An opening's candidates indexed in id order, so a page of an opening's scorecards walks only its own rows

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 20:30:00.000000
"""

from collections.abc import Sequence

from alembic import op


revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('candidates') as batch:
        batch.create_index('ix_candidates_opening_id_id', ['opening_id', 'id'], unique=False)
        batch.drop_index('ix_candidates_opening_id')


def downgrade() -> None:
    with op.batch_alter_table('candidates') as batch:
        batch.create_index('ix_candidates_opening_id', ['opening_id'], unique=False)
        batch.drop_index('ix_candidates_opening_id_id')
