"""The AI aid on real providers: how each is asked, its measured figures, one switch, who saw each draft,
and candidates who asked that no AI reads their work

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'ai_aid_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('changed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_ai_aid_settings_changed_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ai_aid_settings')),
    )
    op.create_table(
        'ai_provider_modes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider', sa.String(length=300), nullable=False),
        sa.Column('model', sa.String(length=200), nullable=False),
        sa.Column('mode', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('noted_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ai_provider_modes')),
        sa.UniqueConstraint('provider', 'model', name=op.f('uq_ai_provider_modes_provider_model')),
    )
    op.create_table(
        'ai_eval_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider', sa.String(length=300), nullable=False),
        sa.Column('model', sa.String(length=200), nullable=False),
        sa.Column('prompt_version', sa.String(length=32), nullable=False),
        sa.Column('output_mode', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('report', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ai_eval_reports')),
    )
    with op.batch_alter_table('ai_eval_reports', schema=None) as batch_op:
        batch_op.create_index('ix_ai_eval_reports_model_created_at', ['provider', 'model', 'created_at'], unique=False)
    op.create_table(
        'ai_draft_views',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('draft_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('first_viewed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_viewed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['draft_id'], ['ai_drafts.id'], name=op.f('fk_ai_draft_views_draft_id_ai_drafts')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ai_draft_views_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ai_draft_views')),
        sa.UniqueConstraint('draft_id', 'user_id', name=op.f('uq_ai_draft_views_draft_id_user_id')),
    )
    with op.batch_alter_table('ai_draft_views', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ai_draft_views_draft_id'), ['draft_id'], unique=False)
    with op.batch_alter_table('ai_drafts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provider', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('output_mode', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('input_digest', sa.String(length=64), nullable=True))
    with op.batch_alter_table('ai_drafts', schema=None) as batch_op:
        batch_op.alter_column('provider', existing_type=sa.String(length=300), server_default=None)
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ai_opted_out_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.drop_column('ai_opted_out_at')
    with op.batch_alter_table('ai_drafts', schema=None) as batch_op:
        batch_op.drop_column('input_digest')
        batch_op.drop_column('output_mode')
        batch_op.drop_column('provider')
    with op.batch_alter_table('ai_draft_views', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ai_draft_views_draft_id'))
    op.drop_table('ai_draft_views')
    with op.batch_alter_table('ai_eval_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_ai_eval_reports_model_created_at')
    op.drop_table('ai_eval_reports')
    op.drop_table('ai_provider_modes')
    op.drop_table('ai_aid_settings')
