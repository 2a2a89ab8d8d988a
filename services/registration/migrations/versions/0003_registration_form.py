"""registration form: the full form, its history, idempotency keys and the period read model

The foundation's registrations held only a name, a business ID and contacts: no service,
period or reason, which every registration now needs. No release has stored such rows, so
the two old tables are replaced rather than converted; the downgrade restores them empty.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 04:09:29.643687
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import shared.types


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

ACTIVE_ONLY = "state NOT IN ('rejected', 'withdrawn')"
APPEND_ONLY = "registration history is append-only"


def _forbid_history_changes() -> None:
    """The history is append-only in the database too, not only by the repository's API."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION registration_history_append_only() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER registration_history_append_only BEFORE UPDATE OR DELETE "
            "ON registration_history FOR EACH ROW "
            "EXECUTE FUNCTION registration_history_append_only()"
        )
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER registration_history_no_{event.lower()} BEFORE {event} "
            f"ON registration_history BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
        )


def _allow_history_changes() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER registration_history_append_only ON registration_history")
        op.execute("DROP FUNCTION registration_history_append_only()")
        return
    for event in ("update", "delete"):
        op.execute(f"DROP TRIGGER registration_history_no_{event}")


def upgrade() -> None:
    with op.batch_alter_table('registration_contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_contacts_registration_id'))
    op.drop_table('registration_contacts')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registrations_state'))
        batch_op.drop_index(batch_op.f('ix_registrations_business_id'))
    op.drop_table('registrations')

    op.create_table('registrations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('business_id', sqlmodel.sql.sqltypes.AutoString(length=9), nullable=False),
    sa.Column('organisation_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('oid', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('sector', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('domain', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('service', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('period_year', sa.Integer(), nullable=False),
    sa.Column('period_number', sa.Integer(), nullable=False),
    sa.Column('planned_production_start', sa.Date(), nullable=False),
    sa.Column('vendor_handles_support', sa.Boolean(), nullable=False),
    sa.Column('registration_required', sa.Boolean(), nullable=False),
    sa.Column('system', sa.JSON(), nullable=False),
    sa.Column('customership', sa.JSON(), nullable=False),
    sa.Column('contacts', sa.JSON(), nullable=False),
    sa.Column('warnings', sa.JSON(), nullable=False),
    sa.Column('has_warnings', sa.Boolean(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('state_note', sa.Text(), nullable=True),
    sa.Column('deployed_on', sa.Date(), nullable=True),
    sa.Column('submitted_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('submitted_at', shared.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', shared.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registrations_state'), ['state'], unique=False)
        batch_op.create_index('ix_registrations_org_updated', ['business_id', 'updated_at', 'id'], unique=False)
        batch_op.create_index('ix_registrations_period_updated', ['period_year', 'period_number', 'updated_at', 'id'], unique=False)
        batch_op.create_index('ix_registrations_updated', ['updated_at', 'id'], unique=False)
        batch_op.create_index('uq_registrations_active', ['business_id', 'service', 'period_year', 'period_number'], unique=True, postgresql_where=sa.text(ACTIVE_ONLY), sqlite_where=sa.text(ACTIVE_ONLY))

    op.create_table('idempotency_keys',
    sa.Column('client_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('request_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('registration_id', sa.Uuid(), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=False),
    sa.Column('created_at', shared.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('client_id', 'key')
    )
    op.create_table('known_periods',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('period_id', sa.Uuid(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('registration_opens_on', sa.Date(), nullable=False),
    sa.Column('registration_closes_on', sa.Date(), nullable=False),
    sa.Column('source_occurred_at', shared.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('received_at', shared.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('year', 'number'),
    sa.UniqueConstraint('period_id', name='uq_known_periods_period_id')
    )
    op.create_table('registration_history',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('registration_id', sa.Uuid(), nullable=False),
    sa.Column('at', shared.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_client_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('actor_role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('actor_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('from_state', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('to_state', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('registration_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_history_registration_id'), ['registration_id'], unique=False)
    _forbid_history_changes()


def downgrade() -> None:
    _allow_history_changes()
    with op.batch_alter_table('registration_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_history_registration_id'))
    op.drop_table('registration_history')
    op.drop_table('known_periods')
    op.drop_table('idempotency_keys')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('uq_registrations_active', postgresql_where=sa.text(ACTIVE_ONLY), sqlite_where=sa.text(ACTIVE_ONLY))
        batch_op.drop_index('ix_registrations_updated')
        batch_op.drop_index('ix_registrations_period_updated')
        batch_op.drop_index('ix_registrations_org_updated')
        batch_op.drop_index(batch_op.f('ix_registrations_state'))
    op.drop_table('registrations')

    op.create_table('registrations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organisation_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('business_id', sqlmodel.sql.sqltypes.AutoString(length=9), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('submitted_at', shared.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', shared.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registrations_business_id'), ['business_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registrations_state'), ['state'], unique=False)
    op.create_table('registration_contacts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('registration_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('registration_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_contacts_registration_id'), ['registration_id'], unique=False)
