"""reconcile: snapshot revisions, per-person calendar entries, feeds per registration contact

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 09:00:00.000000

The old `feeds` table (one feed per email address, readable across organisations) is
dropped: its tokens stop working, and every contact gets a feed bound to their registration
with the next enrolment event (or from staff's rotate route).
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import shared.types


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('known_registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('last_event_at', shared.types.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_uid', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch_op.add_column(sa.Column('calendar_sequence', sa.Integer(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('origin', sa.String(length=10), server_default='rules', nullable=False))
    op.create_table('participant_feeds',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('registration_id', sa.Uuid(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('salt', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', shared.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', shared.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('participant_feeds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participant_feeds_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index('ux_participant_feeds_live', ['registration_id', 'email'], unique=True, postgresql_where=sa.text('revoked_at IS NULL'), sqlite_where=sa.text('revoked_at IS NULL'))
    op.drop_table('feeds')


def downgrade() -> None:
    op.create_table('feeds',
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('salt', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', shared.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('email'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('participant_feeds', schema=None) as batch_op:
        batch_op.drop_index('ux_participant_feeds_live', postgresql_where=sa.text('revoked_at IS NULL'), sqlite_where=sa.text('revoked_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_participant_feeds_registration_id'))
    op.drop_table('participant_feeds')
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_column('origin')
        batch_op.drop_column('calendar_sequence')
        batch_op.drop_column('calendar_uid')
    with op.batch_alter_table('known_registrations', schema=None) as batch_op:
        batch_op.drop_column('last_event_at')
        batch_op.drop_column('revision')
