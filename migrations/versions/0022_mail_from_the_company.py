"""Mail to candidates comes from the opening's company, with replies to its hiring manager or a chosen address

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('openings') as batch:
        batch.add_column(sa.Column('company_name', sa.String(length=120), nullable=True))
        batch.add_column(sa.Column('reply_to', sa.String(length=254), nullable=True))
    with op.batch_alter_table('outbound_emails') as batch:
        batch.add_column(sa.Column('sender_name', sa.String(length=120), nullable=True))
        batch.add_column(sa.Column('reply_to', sa.String(length=254), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbound_emails') as batch:
        batch.drop_column('reply_to')
        batch.drop_column('sender_name')
    with op.batch_alter_table('openings') as batch:
        batch.drop_column('reply_to')
        batch.drop_column('company_name')
