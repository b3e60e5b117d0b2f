"""Calibration sessions on benchmark answers, and an opening's requirement to pass one.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 20:47:49.633486
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('calibration_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opening_id', sa.Integer(), nullable=False),
    sa.Column('exercise_key', sa.String(length=64), nullable=False),
    sa.Column('benchmark_version_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revealed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['benchmark_version_id'], ['content_versions.id'], name=op.f('fk_calibration_sessions_benchmark_version_id_content_versions')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_calibration_sessions_created_by_id_users')),
    sa.ForeignKeyConstraint(['opening_id'], ['openings.id'], name=op.f('fk_calibration_sessions_opening_id_openings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calibration_sessions'))
    )
    with op.batch_alter_table('calibration_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calibration_sessions_opening_id'), ['opening_id'], unique=False)

    op.create_table('calibration_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('interviewer_id', sa.Integer(), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['interviewer_id'], ['users.id'], name=op.f('fk_calibration_entries_interviewer_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['calibration_sessions.id'], name=op.f('fk_calibration_entries_session_id_calibration_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calibration_entries')),
    sa.UniqueConstraint('session_id', 'interviewer_id', name=op.f('uq_calibration_entries_session_id_interviewer_id'))
    )
    with op.batch_alter_table('calibration_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calibration_entries_interviewer_id'), ['interviewer_id'], unique=False)

    with op.batch_alter_table('openings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calibration_required', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('openings', schema=None) as batch_op:
        batch_op.drop_column('calibration_required')

    with op.batch_alter_table('calibration_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calibration_entries_interviewer_id'))

    op.drop_table('calibration_entries')
    with op.batch_alter_table('calibration_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calibration_sessions_opening_id'))

    op.drop_table('calibration_sessions')
