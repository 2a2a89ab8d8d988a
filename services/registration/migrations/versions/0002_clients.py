"""API clients of the OAuth2 client-credentials grant

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 04:20:00
"""
from alembic import op
import sqlalchemy as sa
import shared.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_clients',
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('secret_sha256', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('business_id', sa.String(length=9), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('created_at', shared.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('disabled_at', shared.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('client_id')
    )
    op.create_index(op.f('ix_api_clients_business_id'), 'api_clients', ['business_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_api_clients_business_id'), table_name='api_clients')
    op.drop_table('api_clients')
