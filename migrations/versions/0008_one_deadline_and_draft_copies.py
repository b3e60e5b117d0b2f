"""One stored deadline per attempt, and copies of text that could not become the draft.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 21:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('draft_copies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_draft_copies_attempt_id_attempts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draft_copies')),
    sa.UniqueConstraint('attempt_id', 'client_id', name=op.f('uq_draft_copies_attempt_id_client_id'))
    )
    # deadline_at has been kept beside the limit since the start and moved with every
    # extension, so it already holds every attempt's deadline.
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_column('time_limit_minutes')


def downgrade() -> None:
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_limit_minutes', sa.Integer(), nullable=False, server_default='1'))
    attempts = sa.table('attempts', sa.column('id', sa.Integer()), sa.column('time_limit_minutes', sa.Integer()),
                        sa.column('started_at', sa.DateTime()), sa.column('deadline_at', sa.DateTime()))
    connection = op.get_bind()
    rows = connection.execute(sa.select(attempts.c.id, attempts.c.started_at, attempts.c.deadline_at)).all()
    for row in rows:
        if row.started_at is not None and row.deadline_at is not None:
            minutes = max(1, round((row.deadline_at - row.started_at).total_seconds() / 60))
            connection.execute(attempts.update().where(attempts.c.id == row.id).values(time_limit_minutes=minutes))
    op.drop_table('draft_copies')
