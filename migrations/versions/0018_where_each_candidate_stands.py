"""Each candidate's stage kept on their row (invited, opened, started, handed in, scored, decided) with how far
along their work is whatever was decided, so the pipeline counts and filters an opening of thousands without
reading every attempt

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAGES = ("invited", "opened", "started", "submitted", "scored", "decided")

# The pipeline's own definition at the time (services.pipeline._stage), for the candidates that exist already.
HANDED_IN = "EXISTS (SELECT 1 FROM submissions s WHERE s.attempt_id = a.id)"
BACKFILL = f"""
UPDATE candidates SET progress = CASE
  WHEN EXISTS (SELECT 1 FROM attempts a WHERE a.candidate_id = candidates.id AND {HANDED_IN})
   AND NOT EXISTS (SELECT 1 FROM attempts a WHERE a.candidate_id = candidates.id AND a.started_at IS NOT NULL
                   AND NOT {HANDED_IN})
   AND NOT EXISTS (SELECT 1 FROM attempts a WHERE a.candidate_id = candidates.id
                   AND (a.started_at IS NULL OR {HANDED_IN})
                   AND (a.assigned_count < (SELECT o.interviewers_per_submission FROM openings o
                                            WHERE o.id = candidates.opening_id) OR a.unfinished_count > 0))
  THEN 'scored'
  WHEN EXISTS (SELECT 1 FROM attempts a WHERE a.candidate_id = candidates.id AND {HANDED_IN}) THEN 'submitted'
  WHEN EXISTS (SELECT 1 FROM attempts a WHERE a.candidate_id = candidates.id AND a.started_at IS NOT NULL)
  THEN 'started'
  WHEN EXISTS (SELECT 1 FROM invitations i WHERE i.candidate_id = candidates.id AND i.first_used_at IS NOT NULL)
  THEN 'opened'
  ELSE 'invited' END;
UPDATE candidates SET stage = CASE
  WHEN EXISTS (SELECT 1 FROM decisions d WHERE d.candidate_id = candidates.id) THEN 'decided' ELSE progress END
"""


def upgrade() -> None:
    with op.batch_alter_table('candidates') as batch:
        batch.add_column(sa.Column(
            'stage', sa.Enum(*STAGES, name='candidate_stage', native_enum=False, create_constraint=True, length=32),
            nullable=False, server_default='invited'))
    with op.batch_alter_table('candidates') as batch:
        batch.add_column(sa.Column(
            'progress', sa.Enum(*STAGES, name='candidate_progress', native_enum=False, create_constraint=True,
                                length=32),
            nullable=False, server_default='invited'))
    for statement in BACKFILL.split(";"):
        op.execute(statement)
    with op.batch_alter_table('candidates') as batch:
        batch.create_index('ix_candidates_opening_id_stage', ['opening_id', 'stage', 'progress'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('candidates') as batch:
        batch.drop_index('ix_candidates_opening_id_stage')
        batch.drop_constraint(batch.f('ck_candidates_candidate_progress'), type_='check')
        batch.drop_constraint(batch.f('ck_candidates_candidate_stage'), type_='check')
        batch.drop_column('progress')
        batch.drop_column('stage')
