"""calendar: periods, sessions, enrolments, reminders, feeds; registration snapshot fields

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 04:10:53.897200
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import shared.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feeds',
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('salt', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', shared.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('email'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_table('periods',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('registration_opens_on', sa.Date(), nullable=False),
    sa.Column('registration_closes_on', sa.Date(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('created_at', shared.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', shared.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_at', shared.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('year', 'number', name='uq_periods_year_number')
    )
    op.create_table('sessions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('period_id', sa.Uuid(), nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('title_fi', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('title_sv', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('title_en', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('starts_at', shared.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', shared.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('online_url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('place', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('enrolment_counter', sa.Integer(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('created_at', shared.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', shared.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uid')
    )
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sessions_period_id'), ['period_id'], unique=False)

    op.create_table('enrolments',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('registration_id', sa.Uuid(), nullable=False),
    sa.Column('business_id', sqlmodel.sql.sqltypes.AutoString(length=9), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('queue_no', sa.Integer(), nullable=False),
    sa.Column('created_at', shared.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', shared.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('cancel_reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolments_business_id'), ['business_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolments_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolments_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolments_session_id'), ['session_id'], unique=False)
        batch_op.create_index('ux_enrolments_live', ['session_id', 'email'], unique=True, postgresql_where=sa.text("status <> 'cancelled'"), sqlite_where=sa.text("status <> 'cancelled'"))

    op.create_table('reminders',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('enrolment_id', sa.Uuid(), nullable=False),
    sa.Column('offset_s', sa.Integer(), nullable=False),
    sa.Column('due_at', shared.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', shared.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('enrolment_id', 'offset_s', name='uq_reminders_enrolment_offset')
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index('ix_reminders_due', ['due_at'], unique=False, sqlite_where=sa.text('sent_at IS NULL'), postgresql_where=sa.text('sent_at IS NULL'))

    with op.batch_alter_table('known_registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=20), server_default='submitted', nullable=False))
        batch_op.add_column(sa.Column('period_year', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('period_number', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('service', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
        batch_op.add_column(sa.Column('domain', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('known_registrations', schema=None) as batch_op:
        batch_op.drop_column('domain')
        batch_op.drop_column('service')
        batch_op.drop_column('period_number')
        batch_op.drop_column('period_year')
        batch_op.drop_column('state')

    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index('ix_reminders_due', sqlite_where=sa.text('sent_at IS NULL'), postgresql_where=sa.text('sent_at IS NULL'))

    op.drop_table('reminders')
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_index('ux_enrolments_live', postgresql_where=sa.text("status <> 'cancelled'"), sqlite_where=sa.text("status <> 'cancelled'"))
        batch_op.drop_index(batch_op.f('ix_enrolments_session_id'))
        batch_op.drop_index(batch_op.f('ix_enrolments_registration_id'))
        batch_op.drop_index(batch_op.f('ix_enrolments_email'))
        batch_op.drop_index(batch_op.f('ix_enrolments_business_id'))

    op.drop_table('enrolments')
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sessions_period_id'))

    op.drop_table('sessions')
    op.drop_table('periods')
    op.drop_table('feeds')
