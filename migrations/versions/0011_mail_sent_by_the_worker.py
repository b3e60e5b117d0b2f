"""Mail is queued in the transaction that causes it and sent by the worker, with retries

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 04:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("queued", "sending", "sent", "kept", "failed")


def upgrade() -> None:
    with op.batch_alter_table('outbound_emails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secret', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('status', sa.Enum(*STATUSES, name='mail_status', native_enum=False,
                                                        create_constraint=True, length=32),
                                      nullable=False, server_default='queued'))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
    connection = op.get_bind()
    # Mail written before the worker sent it was sent, kept or refused when it was written.
    connection.execute(sa.text("UPDATE outbound_emails SET next_attempt_at = created_at, status = CASE "
                               "WHEN sent_at IS NOT NULL THEN 'sent' WHEN transport = 'outbox' THEN 'kept' "
                               "ELSE 'failed' END, attempts = CASE WHEN transport = 'smtp' THEN 1 ELSE 0 END"))
    with op.batch_alter_table('outbound_emails', schema=None) as batch_op:
        batch_op.alter_column('next_attempt_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.alter_column('status', existing_type=sa.String(length=32), server_default=None)
        batch_op.alter_column('attempts', existing_type=sa.Integer(), server_default=None)
        batch_op.create_index(batch_op.f('ix_outbound_emails_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbound_emails', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbound_emails_status'))
        batch_op.drop_constraint(batch_op.f('ck_outbound_emails_mail_status'), type_='check')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('attempts')
        batch_op.drop_column('status')
        batch_op.drop_column('secret')
