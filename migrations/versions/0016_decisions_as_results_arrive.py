"""Decisions as results arrive: an opening's own decision emails, and the email a decision sent

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 20:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('openings') as batch:
        batch.add_column(sa.Column('decision_emails', sa.JSON(), nullable=True))
    with op.batch_alter_table('decisions') as batch:
        batch.add_column(sa.Column('email_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f('fk_decisions_email_id_outbound_emails'), 'outbound_emails', ['email_id'],
                                 ['id'])


def downgrade() -> None:
    with op.batch_alter_table('decisions') as batch:
        batch.drop_constraint(batch.f('fk_decisions_email_id_outbound_emails'), type_='foreignkey')
        batch.drop_column('email_id')
    with op.batch_alter_table('openings') as batch:
        batch.drop_column('decision_emails')
