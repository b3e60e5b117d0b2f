"""Emailed links to choose a password, to reset a forgotten one or set the first: single use, short-lived, only
the hash of each token kept

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'password_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('purpose', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_links_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_password_links')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_password_links_token_hash')),
    )
    with op.batch_alter_table('password_links') as batch:
        batch.create_index(batch.f('ix_password_links_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('password_links') as batch:
        batch.drop_index(batch.f('ix_password_links_user_id'))
    op.drop_table('password_links')
