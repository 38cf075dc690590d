"""course images measured and resized

Images keep their original; a wide one also gets the copy pages show (at most 960 px
wide), and its display size goes on the <img>. Images stored before this migration are
measured (and resized) the first time they are served.

Revision ID: 8f4d0bb6b171
Revises: 68660498bf73
Create Date: 2026-11-22 01:03:42.476021

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8f4d0bb6b171'
down_revision = '68660498bf73'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course_media', schema=None) as batch_op:
        batch_op.add_column(sa.Column('width', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('height', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('resized', sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table('course_media', schema=None) as batch_op:
        batch_op.drop_column('resized')
        batch_op.drop_column('height')
        batch_op.drop_column('width')
