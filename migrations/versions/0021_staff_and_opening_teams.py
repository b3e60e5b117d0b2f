"""Recruiters; the team of an opening (co-owning hiring managers and recruiters) and what recruiters may see;
the email that carried each password link

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08 04:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = ("admin", "hiring_manager", "interviewer")
AFTER = (*BEFORE, "recruiter")


def _roles(values: tuple[str, ...]) -> str:
    return "role IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_constraint(batch.f('ck_users_role'), type_='check')
        batch.create_check_constraint('role', _roles(AFTER))
    with op.batch_alter_table('openings') as batch:
        batch.add_column(sa.Column('recruiters_see_results', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('password_links') as batch:
        batch.add_column(sa.Column('email_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f('fk_password_links_email_id_outbound_emails'), 'outbound_emails',
                                 ['email_id'], ['id'], ondelete='SET NULL')
    op.create_table(
        'opening_members',
        sa.Column('opening_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['opening_id'], ['openings.id'], name=op.f('fk_opening_members_opening_id_openings'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_opening_members_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('opening_id', 'user_id', name=op.f('pk_opening_members')),
    )
    with op.batch_alter_table('opening_members') as batch:
        batch.create_index(batch.f('ix_opening_members_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('opening_members') as batch:
        batch.drop_index(batch.f('ix_opening_members_user_id'))
    op.drop_table('opening_members')
    with op.batch_alter_table('password_links') as batch:
        batch.drop_constraint(batch.f('fk_password_links_email_id_outbound_emails'), type_='foreignkey')
        batch.drop_column('email_id')
    with op.batch_alter_table('openings') as batch:
        batch.drop_column('recruiters_see_results')
    op.execute("UPDATE users SET role = 'interviewer' WHERE role = 'recruiter'")
    with op.batch_alter_table('users') as batch:
        batch.drop_constraint(batch.f('ck_users_role'), type_='check')
        batch.create_check_constraint('role', _roles(BEFORE))
