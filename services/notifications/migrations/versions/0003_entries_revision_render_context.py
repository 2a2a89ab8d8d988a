"""calendar entries, registration revision, what each mail was rendered from

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 10:00:00
"""
from alembic import op
import sqlalchemy as sa
import shared.types


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('known_entries',
    sa.Column('enrolment_id', sa.Uuid(), nullable=False),
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('live', sa.Boolean(), nullable=False),
    sa.Column('participant', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=True),
    sa.Column('updated_at', shared.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('enrolment_id')
    )
    with op.batch_alter_table('known_registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('mails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('render_context', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('session_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('enrolment_id', sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('mails', schema=None) as batch_op:
        batch_op.drop_column('enrolment_id')
        batch_op.drop_column('session_id')
        batch_op.drop_column('render_context')
    with op.batch_alter_table('known_registrations', schema=None) as batch_op:
        batch_op.drop_column('revision')
    op.drop_table('known_entries')
