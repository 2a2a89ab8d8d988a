"""a revision per registration (every change raises it), and late deployment-test reports

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        'registrations',
        sa.Column('revision', sa.Integer(), nullable=False, server_default=sa.text('1')),
    )
    # Each history row is one change the registration went through: that count is its revision.
    op.execute(
        "UPDATE registrations SET revision = (SELECT count(*) FROM registration_history h "
        "WHERE h.registration_id = registrations.id) "
        "WHERE EXISTS (SELECT 1 FROM registration_history h "
        "WHERE h.registration_id = registrations.id)"
    )
    op.add_column('deployment_tests', sa.Column('reported_late', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('deployment_tests') as batch:
        batch.drop_column('reported_late')
    with op.batch_alter_table('registrations') as batch:
        batch.drop_column('revision')
