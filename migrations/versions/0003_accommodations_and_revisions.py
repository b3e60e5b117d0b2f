"""Candidate accommodations, data variants, autosave revisions, mail transport.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 19:16:35.968837
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data_variant_seed', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('extra_minutes', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('outbound_emails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('candidate_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('transport', sa.String(length=16), nullable=False, server_default='outbox'))
        batch_op.create_index(batch_op.f('ix_outbound_emails_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbound_emails_candidate_id_candidates'), 'candidates', ['candidate_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('outbound_emails', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbound_emails_candidate_id_candidates'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbound_emails_candidate_id'))
        batch_op.drop_column('transport')
        batch_op.drop_column('candidate_id')

    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_column('revision')

    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.drop_column('extra_minutes')
        batch_op.drop_column('data_variant_seed')

