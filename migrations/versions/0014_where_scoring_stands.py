"""Where scoring stands, kept on each attempt: interviewers assigned, of them unfinished, and a disagreement,
so the scoring page counts and filters an opening of thousands without aggregating every rating

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The scoring page's own definitions at the time, for the rows that exist already.
BACKFILL = """
UPDATE attempts SET
  assigned_count = (SELECT count(*) FROM assignments a WHERE a.attempt_id = attempts.id),
  unfinished_count = (SELECT count(*) FROM assignments a LEFT JOIN scorecards s ON s.assignment_id = a.id
                      WHERE a.attempt_id = attempts.id AND (s.id IS NULL OR s.status != 'submitted')),
  disagreement = EXISTS (
    SELECT 1 FROM assignments a JOIN scorecards s ON s.assignment_id = a.id JOIN ratings r ON r.scorecard_id = s.id
    WHERE a.attempt_id = attempts.id AND s.status = 'submitted' AND r.score IS NOT NULL
    GROUP BY r.dimension_key HAVING max(r.score) - min(r.score) >= 2)
"""


def upgrade() -> None:
    with op.batch_alter_table('attempts') as batch:
        batch.add_column(sa.Column('assigned_count', sa.Integer(), server_default='0', nullable=False))
        batch.add_column(sa.Column('unfinished_count', sa.Integer(), server_default='0', nullable=False))
        batch.add_column(sa.Column('disagreement', sa.Boolean(), server_default=sa.text('false'), nullable=False))
    op.execute(BACKFILL)


def downgrade() -> None:
    with op.batch_alter_table('attempts') as batch:
        batch.drop_column('disagreement')
        batch.drop_column('unfinished_count')
        batch.drop_column('assigned_count')
