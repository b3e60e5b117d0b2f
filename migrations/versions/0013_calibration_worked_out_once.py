"""Calibration worked out once per change of the ratings: a version of each opening's ratings, and the stored
calibrations, their ranked rows kept one per row so pages read only theirs

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('openings') as batch:
        batch.add_column(sa.Column('ratings_version', sa.Integer(), server_default='0', nullable=False))
    op.create_table(
        'calibration_snapshots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('opening_id', sa.Integer(), nullable=False),
        sa.Column('ratings', sa.String(length=16), nullable=False),
        sa.Column('without', sa.Integer(), nullable=False),
        sa.Column('ratings_version', sa.Integer(), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('seconds', sa.Float(), nullable=True),
        sa.Column('summary', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['opening_id'], ['openings.id'], name=op.f('fk_calibration_snapshots_opening_id_openings'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calibration_snapshots')),
        sa.UniqueConstraint('opening_id', 'ratings', 'without', 'ratings_version',
                            name='uq_calibration_snapshots_version'),
    )
    op.create_table(
        'calibration_snapshot_rows',
        sa.Column('snapshot_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('candidate_id', sa.Integer(), nullable=False),
        sa.Column('row', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['snapshot_id'], ['calibration_snapshots.id'],
                                name=op.f('fk_calibration_snapshot_rows_snapshot_id_calibration_snapshots'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'],
                                name=op.f('fk_calibration_snapshot_rows_candidate_id_candidates'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('snapshot_id', 'position', name=op.f('pk_calibration_snapshot_rows')),
        sa.UniqueConstraint('snapshot_id', 'candidate_id', name=op.f('uq_calibration_snapshot_rows_snapshot_id_candidate_id')),
    )


def downgrade() -> None:
    op.drop_table('calibration_snapshot_rows')
    op.drop_table('calibration_snapshots')
    with op.batch_alter_table('openings') as batch:
        batch.drop_column('ratings_version')
