"""read models, business id, calendar, resend

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 04:06:27
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
    op.create_table('known_periods',
    sa.Column('period_id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('updated_at', shared.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('period_id')
    )
    with op.batch_alter_table('known_periods', schema=None) as batch_op:
        batch_op.create_index('ix_known_periods_year_number', ['year', 'number'], unique=False)

    op.create_table('known_registrations',
    sa.Column('registration_id', sa.Uuid(), nullable=False),
    sa.Column('business_id', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('organisation_name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('updated_at', shared.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('registration_id')
    )
    op.create_table('known_sessions',
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('starts_at', shared.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('info', sa.Text(), nullable=False),
    sa.Column('updated_at', shared.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('session_id')
    )
    with op.batch_alter_table('known_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_known_sessions_period', ['year', 'number'], unique=False)

    with op.batch_alter_table('mails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('business_id', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('calendar', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('calendar_method', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column('resend_of', sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f('ix_mails_business_id'), ['business_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('mails', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mails_business_id'))
        batch_op.drop_column('resend_of')
        batch_op.drop_column('calendar_method')
        batch_op.drop_column('calendar')
        batch_op.drop_column('business_id')

    with op.batch_alter_table('known_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_known_sessions_period')

    op.drop_table('known_sessions')
    op.drop_table('known_registrations')
    with op.batch_alter_table('known_periods', schema=None) as batch_op:
        batch_op.drop_index('ix_known_periods_year_number')

    op.drop_table('known_periods')
