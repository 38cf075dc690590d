"""registrations counted through the queue index

The single-column index on ``webinar_registrations.webinar_id`` is the first column of
two others: ``ix_webinar_registrations_queue`` (webinar_id, status, queue_number) and the
unique (webinar_id, email). For a webinar newer than the table's statistics (one whose
registration just opened), PostgreSQL's planner took the single-column index to count
seats and waitlist places, and read every registration row of the webinar for each count;
without it, the counts are index-only scans of the queue index. One index fewer to write
on each registration, too.

Revision ID: 38c743129ebb
Revises: 8f4d0bb6b171
Create Date: 2026-12-03 13:23:36.978813

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '38c743129ebb'
down_revision = '8f4d0bb6b171'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_webinar_registrations_webinar_id', table_name='webinar_registrations')


def downgrade():
    op.create_index('ix_webinar_registrations_webinar_id', 'webinar_registrations',
                    ['webinar_id'], unique=False)
