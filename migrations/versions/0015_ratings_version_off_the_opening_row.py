"""The count of an opening's rating changes in a row of its own: raised on the opening's row, which every scorecard
change holds FOR SHARE, two changes at once deadlocked

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 11:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'ratings_versions',
        sa.Column('opening_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['opening_id'], ['openings.id'], name=op.f('fk_ratings_versions_opening_id_openings'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('opening_id', name=op.f('pk_ratings_versions')),
    )
    op.execute("INSERT INTO ratings_versions (opening_id, version) SELECT id, ratings_version FROM openings "
               "WHERE ratings_version > 0")
    with op.batch_alter_table('openings') as batch:
        batch.drop_column('ratings_version')


def downgrade() -> None:
    with op.batch_alter_table('openings') as batch:
        batch.add_column(sa.Column('ratings_version', sa.Integer(), server_default='0', nullable=False))
    op.execute("UPDATE openings SET ratings_version = (SELECT version FROM ratings_versions r "
               "WHERE r.opening_id = openings.id) WHERE id IN (SELECT opening_id FROM ratings_versions)")
    op.drop_table('ratings_versions')
