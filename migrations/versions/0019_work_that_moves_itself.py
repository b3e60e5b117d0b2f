"""Work that moves itself: an opening assigns handed-in work as it arrives, reminds candidates before their link
expires and interviewers when a scorecard is overdue, and may ask a third interviewer on a wide disagreement;
interviewers choose which emails about their work they get; each reminder sent is kept, so none goes twice

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08 00:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('openings') as batch:
        batch.add_column(sa.Column('auto_assign', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column('expiry_reminder_days', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('overdue_reminder_days', sa.Integer(), nullable=False, server_default='2'))
        batch.add_column(sa.Column('third_interviewer_gap', sa.Integer(), nullable=True))
        batch.create_check_constraint('overdue_reminder_days_range', 'overdue_reminder_days BETWEEN 0 AND 30')
        batch.create_check_constraint('third_interviewer_gap_range',
                                      'third_interviewer_gap IS NULL OR third_interviewer_gap BETWEEN 1 AND 3')
    op.execute("UPDATE openings SET expiry_reminder_days = '[3, 1]'")
    with op.batch_alter_table('assignments') as batch:
        batch.add_column(sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True))
    # Work assigned before this version was never announced by email; it is not announced now either.
    op.execute("UPDATE assignments SET notified_at = created_at")
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('assignment_emails', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column('daily_digest', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column('digest_sent_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'reminders_sent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('step', sa.Integer(), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders_sent')),
        sa.UniqueConstraint('kind', 'subject_id', 'step', name=op.f('uq_reminders_sent_kind_subject_id_step')),
    )


def downgrade() -> None:
    op.drop_table('reminders_sent')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('digest_sent_at')
        batch.drop_column('daily_digest')
        batch.drop_column('assignment_emails')
    with op.batch_alter_table('assignments') as batch:
        batch.drop_column('notified_at')
    with op.batch_alter_table('openings') as batch:
        batch.drop_constraint(batch.f('ck_openings_third_interviewer_gap_range'), type_='check')
        batch.drop_constraint(batch.f('ck_openings_overdue_reminder_days_range'), type_='check')
        batch.drop_column('third_interviewer_gap')
        batch.drop_column('overdue_reminder_days')
        batch.drop_column('expiry_reminder_days')
        batch.drop_column('auto_assign')
