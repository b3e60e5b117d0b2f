"""Scoring's life cycle as one state, first-submitted ratings, and reopen requests.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATE_DATES = (
    "(scoring_state = 'open' AND scoring_closed_at IS NULL AND unblinded_at IS NULL)"
    " OR (scoring_state = 'closed' AND scoring_closed_at IS NOT NULL AND unblinded_at IS NULL)"
    " OR (scoring_state = 'unblinded' AND scoring_closed_at IS NOT NULL AND unblinded_at IS NOT NULL)"
)


def upgrade() -> None:
    with op.batch_alter_table('openings', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'scoring_state', sa.Enum('open', 'closed', 'unblinded', name='scoring_state', native_enum=False,
                                     create_constraint=True, length=32),
            nullable=False, server_default='open'))
    # An opening unblinded before it was closed could not happen, but dates are made to agree all the same.
    op.execute("UPDATE openings SET scoring_closed_at = unblinded_at "
               "WHERE unblinded_at IS NOT NULL AND scoring_closed_at IS NULL")
    op.execute("UPDATE openings SET scoring_state = 'closed' WHERE scoring_closed_at IS NOT NULL")
    op.execute("UPDATE openings SET scoring_state = 'unblinded' WHERE unblinded_at IS NOT NULL")
    with op.batch_alter_table('openings', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_openings_scoring_state_dates'), STATE_DATES)

    with op.batch_alter_table('scorecards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_submitted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('revision_approved_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_score', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_ratings_first_score_in_range'), 'first_score IS NULL OR first_score BETWEEN 0 AND 10')
    # What is submitted today is the best record there is of the first submission.
    op.execute("UPDATE scorecards SET first_submitted_at = submitted_at WHERE submitted_at IS NOT NULL")
    op.execute("UPDATE ratings SET first_score = score WHERE scorecard_id IN "
               "(SELECT id FROM scorecards WHERE first_submitted_at IS NOT NULL)")

    op.create_table('revision_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scorecard_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'refused', 'lapsed', name='revision_status',
                                native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_revision_requests_decided_by_id_users')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_revision_requests_requested_by_id_users')),
    sa.ForeignKeyConstraint(['scorecard_id'], ['scorecards.id'], name=op.f('fk_revision_requests_scorecard_id_scorecards'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_revision_requests'))
    )
    with op.batch_alter_table('revision_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revision_requests_scorecard_id'), ['scorecard_id'], unique=False)
        batch_op.create_index('uq_revision_requests_pending', ['scorecard_id'], unique=True,
                              sqlite_where=sa.text("status = 'pending'"),
                              postgresql_where=sa.text("status = 'pending'"))


def downgrade() -> None:
    with op.batch_alter_table('revision_requests', schema=None) as batch_op:
        batch_op.drop_index('uq_revision_requests_pending')
        batch_op.drop_index(batch_op.f('ix_revision_requests_scorecard_id'))
    op.drop_table('revision_requests')
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_ratings_first_score_in_range'), type_='check')
        batch_op.drop_column('first_score')
    with op.batch_alter_table('scorecards', schema=None) as batch_op:
        batch_op.drop_column('revision_approved_at')
        batch_op.drop_column('first_submitted_at')
    with op.batch_alter_table('openings', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_openings_scoring_state_dates'), type_='check')
        batch_op.drop_constraint(op.f('ck_openings_scoring_state'), type_='check')
        batch_op.drop_column('scoring_state')
