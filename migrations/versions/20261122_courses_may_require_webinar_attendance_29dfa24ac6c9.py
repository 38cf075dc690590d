"""courses may require attendance at a linked webinar

``courses.requires_webinar_attendance``: the completion rule then also needs the learner
to have attended a webinar whose ``course_slug`` is the course's slug. Existing courses
do not require it (server default false).

Plain ALTER TABLE, not batch mode: SQLite adds and drops a simple column in place, and
rebuilding ``courses`` with foreign keys on would cascade to its modules, texts and
enrolments.

Revision ID: 29dfa24ac6c9
Revises: e0b7247abcf4
Create Date: 2026-11-22 00:40:32.552931

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '29dfa24ac6c9'
down_revision = 'e0b7247abcf4'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('courses', sa.Column('requires_webinar_attendance', sa.Boolean(),
                                       server_default=sa.false(), nullable=False))


def downgrade():
    op.drop_column('courses', 'requires_webinar_attendance')
