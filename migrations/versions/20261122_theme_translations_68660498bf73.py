"""theme translations

Themes get their title, description and audiences in the other UN languages (fr, es, ar,
ru, zh), synced from ``courses/themes.yml``. Existing rows start with none ('{}'): they
show in English until the next ``flask content sync``.

Revision ID: 68660498bf73
Revises: 29dfa24ac6c9
Create Date: 2026-11-22 00:56:27.235828

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '68660498bf73'
down_revision = '29dfa24ac6c9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('themes', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('translations', sa.JSON(), server_default='{}', nullable=False))


def downgrade():
    with op.batch_alter_table('themes', schema=None) as batch_op:
        batch_op.drop_column('translations')
