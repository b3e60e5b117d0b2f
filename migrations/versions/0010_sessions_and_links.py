"""Server-side staff sessions, one live link per candidate, no working links in sent mail

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 20:50:00.000000
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LINK = re.compile(r"\S+/c/start/[A-Za-z0-9_-]+")
REDACTED = "(link sent by email; send a new link to replace it)"


def upgrade() -> None:
    op.create_table('staff_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_staff_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_sessions')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_staff_sessions_key_hash'))
    )
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_sessions_user_id'), ['user_id'], unique=False)

    connection = op.get_bind()
    # Older links that expired were never marked replaced; only the newest of each candidate stays live.
    connection.execute(sa.text(
        "UPDATE invitations SET revoked_at = created_at WHERE revoked_at IS NULL AND id NOT IN "
        "(SELECT MAX(id) FROM invitations WHERE revoked_at IS NULL GROUP BY candidate_id)"
    ))
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index('uq_invitations_one_live_per_candidate', ['candidate_id'], unique=True,
                              sqlite_where=sa.text('revoked_at IS NULL'),
                              postgresql_where=sa.text('revoked_at IS NULL'))

    # Mail a server accepted keeps no working link.
    sent = connection.execute(sa.text(
        "SELECT id, body_text FROM outbound_emails WHERE transport = 'smtp' AND sent_at IS NOT NULL"
    )).all()
    for email_id, body in sent:
        redacted = LINK.sub(REDACTED, body)
        if redacted != body:
            connection.execute(sa.text("UPDATE outbound_emails SET body_text = :body WHERE id = :id"),
                               {"body": redacted, "id": email_id})


def downgrade() -> None:
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index('uq_invitations_one_live_per_candidate',
                            sqlite_where=sa.text('revoked_at IS NULL'),
                            postgresql_where=sa.text('revoked_at IS NULL'))

    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_sessions_user_id'))

    op.drop_table('staff_sessions')
