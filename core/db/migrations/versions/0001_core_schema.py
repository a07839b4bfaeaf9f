"""core schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 09:44:53.559821
"""
from alembic import op
import sqlalchemy as sa
import core.db.meta
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('clerks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('login_name', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('roles', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=True),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clerks')),
    sa.UniqueConstraint('login_name', name=op.f('uq_clerks_login_name'))
    )
    op.create_table('counters',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_counters'))
    )
    op.create_table('interest_settlements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_year', sa.Integer(), nullable=False),
    sa.Column('settled_on', sa.Date(), nullable=False),
    sa.Column('rate', core.db.meta.ScaledDecimal(precision=6, scale=4), nullable=False),
    sa.Column('basis_days', sa.Integer(), nullable=False),
    sa.Column('accounts', sa.Integer(), nullable=False),
    sa.Column('total_interest', core.db.meta.ScaledDecimal(precision=18, scale=2), nullable=False),
    sa.Column('flow_no', sa.String(length=32), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interest_settlements')),
    sa.UniqueConstraint('fund_year', name=op.f('uq_interest_settlements_fund_year'))
    )
    op.create_table('persons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('id_type', sa.String(length=2), nullable=False),
    sa.Column('id_no', sa.String(length=30), nullable=False),
    sa.Column('gender', sa.String(length=1), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("id_type IN ('01', '02', '03', '04', '99')", name=op.f('ck_persons_id_type_code')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_persons')),
    sa.UniqueConstraint('id_type', 'id_no', name=op.f('uq_persons_id_type_id_no'))
    )
    op.create_index(op.f('ix_persons_name'), 'persons', ['name'], unique=False)
    op.create_table('units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_no', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=True),
    sa.Column('state', sa.String(length=2), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('postcode', sa.String(length=6), nullable=True),
    sa.Column('legal_rep', sa.String(length=60), nullable=True),
    sa.Column('contact_name', sa.String(length=60), nullable=True),
    sa.Column('contact_phone', sa.String(length=20), nullable=True),
    sa.Column('unit_ratio', core.db.meta.ScaledDecimal(precision=6, scale=4), nullable=False),
    sa.Column('personal_ratio', core.db.meta.ScaledDecimal(precision=6, scale=4), nullable=False),
    sa.Column('paid_to', sa.String(length=7), nullable=True),
    sa.Column('balance', core.db.meta.ScaledDecimal(precision=18, scale=2), nullable=False),
    sa.Column('suspense', core.db.meta.ScaledDecimal(precision=18, scale=2), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("paid_to IS NULL OR paid_to LIKE '____-__'", name=op.f('ck_units_paid_to_month')),
    sa.CheckConstraint("state IN ('01', '02', '03', '04', '05', '99')", name=op.f('ck_units_state_code')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('credit_code', name=op.f('uq_units_credit_code')),
    sa.UniqueConstraint('unit_no', name=op.f('uq_units_unit_no')),
    postgresql_with={'fillfactor': 50}
    )
    op.create_table('bank_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('bank_name', sa.String(length=100), nullable=False),
    sa.Column('account_name', sa.String(length=200), nullable=False),
    sa.Column('account_no', sa.String(length=40), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_bank_accounts_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_accounts'))
    )
    op.create_index(op.f('ix_bank_accounts_unit_id'), 'bank_accounts', ['unit_id'], unique=False)
    op.create_table('departments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['departments.id'], name=op.f('fk_departments_parent_id_departments')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_departments_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_departments'))
    )
    op.create_index(op.f('ix_departments_unit_id'), 'departments', ['unit_id'], unique=False)
    op.create_table('operators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('id_type', sa.String(length=2), nullable=False),
    sa.Column('id_no', sa.String(length=30), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('login_name', sa.String(length=60), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=True),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("id_type IN ('01', '02', '03', '04', '99')", name=op.f('ck_operators_id_type_code')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_operators_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operators')),
    sa.UniqueConstraint('unit_id', 'login_name', name=op.f('uq_operators_unit_id_login_name'))
    )
    op.create_index(op.f('ix_operators_id_no'), 'operators', ['id_no'], unique=False)
    op.create_index(op.f('ix_operators_unit_id'), 'operators', ['unit_id'], unique=False)
    op.create_table('payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('amount', core.db.meta.ScaledDecimal(precision=18, scale=2), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('reference', sa.String(length=60), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('flow_no', sa.String(length=32), nullable=True),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("source IN ('counter', 'bank_statement', 'direct_debit')", name=op.f('ck_payments_source')),
    sa.CheckConstraint("status IN ('received', 'allocated', 'suspense')", name=op.f('ck_payments_status')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_payments_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments')),
    sa.UniqueConstraint('source', 'reference', name=op.f('uq_payments_source_reference'))
    )
    op.create_index(op.f('ix_payments_unit_id'), 'payments', ['unit_id'], unique=False)
    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_no', sa.String(length=20), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=2), nullable=False),
    sa.Column('base', core.db.meta.ScaledDecimal(precision=18, scale=2), nullable=False),
    sa.Column('unit_ratio', core.db.meta.ScaledDecimal(precision=6, scale=4), nullable=False),
    sa.Column('personal_ratio', core.db.meta.ScaledDecimal(precision=6, scale=4), nullable=False),
    sa.Column('unit_amount', core.db.meta.ScaledDecimal(precision=18, scale=2), nullable=False),
    sa.Column('personal_amount', core.db.meta.ScaledDecimal(precision=18, scale=2), nullable=False),
    sa.Column('monthly_amount', core.db.meta.ScaledDecimal(precision=18, scale=2), nullable=False),
    sa.Column('balance', core.db.meta.ScaledDecimal(precision=18, scale=2), nullable=False),
    sa.Column('paid_to', sa.String(length=7), nullable=True),
    sa.Column('opened_on', sa.Date(), nullable=True),
    sa.Column('sealed_on', sa.Date(), nullable=True),
    sa.Column('seal_reason', sa.String(length=100), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("paid_to IS NULL OR paid_to LIKE '____-__'", name=op.f('ck_accounts_paid_to_month')),
    sa.CheckConstraint("state IN ('01', '02', '03', '04', '05', '06', '99')", name=op.f('ck_accounts_state_code')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_accounts_department_id_departments')),
    sa.ForeignKeyConstraint(['merged_into_id'], ['accounts.id'], name=op.f('fk_accounts_merged_into_id_accounts')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_accounts_person_id_persons')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_accounts_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('account_no', name=op.f('uq_accounts_account_no')),
    postgresql_with={'fillfactor': 50}
    )
    op.create_index(op.f('ix_accounts_person_id'), 'accounts', ['person_id'], unique=False)
    op.create_index(op.f('ix_accounts_state'), 'accounts', ['state'], unique=False)
    op.create_index(op.f('ix_accounts_unit_id'), 'accounts', ['unit_id'], unique=False)
    op.create_index('uq_accounts_person_normal', 'accounts', ['person_id'], unique=True, sqlite_where=sa.text("state = '01'"), postgresql_where=sa.text("state = '01'"))
    op.create_table('applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_code', sa.String(length=60), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('business_month', sa.String(length=7), nullable=True),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('submit_key', sa.String(length=64), nullable=True),
    sa.Column('scan_serial', sa.String(length=40), nullable=True),
    sa.Column('archive_no', sa.String(length=40), nullable=True),
    sa.Column('effect_applied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("business_month IS NULL OR business_month LIKE '____-__'", name=op.f('ck_applications_business_month_month')),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'in_progress', 'returned', 'exception', 'completed', 'revoked', 'ended')", name=op.f('ck_applications_status_code')),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_applications_operator_id_operators')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_applications_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_applications')),
    sa.UniqueConstraint('scan_serial', name=op.f('uq_applications_scan_serial')),
    sa.UniqueConstraint('unit_id', 'submit_key', name=op.f('uq_applications_unit_id_submit_key'))
    )
    op.create_index(op.f('ix_applications_item_code'), 'applications', ['item_code'], unique=False)
    op.create_index(op.f('ix_applications_status'), 'applications', ['status'], unique=False)
    op.create_index(op.f('ix_applications_unit_id'), 'applications', ['unit_id'], unique=False)
    op.create_table('application_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('actor_name', sa.String(length=60), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('opinion', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_history_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_history'))
    )
    op.create_index(op.f('ix_application_history_application_id'), 'application_history', ['application_id'], unique=False)
    op.create_table('application_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('row_no', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_application_rows_account_id_accounts')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_rows_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_rows')),
    sa.UniqueConstraint('application_id', 'row_no', name=op.f('uq_application_rows_application_id_row_no'))
    )
    op.create_index(op.f('ix_application_rows_account_id'), 'application_rows', ['account_id'], unique=False)
    op.create_table('change_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity', sa.String(length=30), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('business_type', sa.String(length=2), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('before', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('after', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("business_type IN ('01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '13', '14', '15', '99')", name=op.f('ck_change_records_business_type_code')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_change_records_application_id_applications')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_change_records_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_records'))
    )
    op.create_index(op.f('ix_change_records_application_id'), 'change_records', ['application_id'], unique=False)
    op.create_index('ix_change_records_entity', 'change_records', ['entity', 'entity_id'], unique=False)
    op.create_index(op.f('ix_change_records_unit_id'), 'change_records', ['unit_id'], unique=False)
    op.create_table('ledger_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('flow_no', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('business_type', sa.String(length=2), nullable=False),
    sa.Column('summary', sa.String(length=200), nullable=False),
    sa.Column('amount', core.db.meta.ScaledDecimal(precision=18, scale=2), nullable=False),
    sa.Column('interest', core.db.meta.ScaledDecimal(precision=18, scale=2), nullable=False),
    sa.Column('balance_after', core.db.meta.ScaledDecimal(precision=18, scale=2), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=True),
    sa.Column('booked_on', sa.Date(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'account') = (account_id IS NOT NULL)", name=op.f('ck_ledger_entries_account_kind')),
    sa.CheckConstraint("business_type IN ('01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '13', '14', '15', '99')", name=op.f('ck_ledger_entries_business_type_code')),
    sa.CheckConstraint("kind IN ('account', 'unit', 'suspense')", name=op.f('ck_ledger_entries_kind')),
    sa.CheckConstraint("month IS NULL OR month LIKE '____-__'", name=op.f('ck_ledger_entries_month_month')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_ledger_entries_account_id_accounts')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_ledger_entries_application_id_applications')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_ledger_entries_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries'))
    )
    op.create_index('ix_ledger_entries_account_booked', 'ledger_entries', ['account_id', 'booked_on'], unique=False)
    op.create_index(op.f('ix_ledger_entries_application_id'), 'ledger_entries', ['application_id'], unique=False)
    op.create_index(op.f('ix_ledger_entries_flow_no'), 'ledger_entries', ['flow_no'], unique=False)
    op.create_index('ix_ledger_entries_unit_kind_booked', 'ledger_entries', ['unit_id', 'kind', 'booked_on'], unique=False)
    op.create_table('materials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('material_type', sa.String(length=60), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('fixed', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_materials_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_materials'))
    )
    op.create_index(op.f('ix_materials_application_id'), 'materials', ['application_id'], unique=False)
    op.create_index(op.f('ix_materials_sha256'), 'materials', ['sha256'], unique=False)
    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('operator_id', sa.Integer(), nullable=True),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('event', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_messages_application_id_applications')),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_messages_operator_id_operators')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_messages_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages'))
    )
    op.create_index(op.f('ix_messages_unit_id'), 'messages', ['unit_id'], unique=False)
    op.create_table('ratio_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('unit_ratio', core.db.meta.ScaledDecimal(precision=6, scale=4), nullable=False),
    sa.Column('personal_ratio', core.db.meta.ScaledDecimal(precision=6, scale=4), nullable=False),
    sa.Column('effective_month', sa.String(length=7), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("effective_month IS NULL OR effective_month LIKE '____-__'", name=op.f('ck_ratio_changes_effective_month_month')),
    sa.CheckConstraint("status IN ('reviewed', 'used', 'cancelled')", name=op.f('ck_ratio_changes_status')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_ratio_changes_application_id_applications')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_ratio_changes_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ratio_changes'))
    )
    op.create_index(op.f('ix_ratio_changes_unit_id'), 'ratio_changes', ['unit_id'], unique=False)
    op.create_table('remittance_verifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_no', sa.String(length=32), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('headcount', sa.Integer(), nullable=False),
    sa.Column('amount', core.db.meta.ScaledDecimal(precision=18, scale=2), nullable=False),
    sa.Column('unit_amount', core.db.meta.ScaledDecimal(precision=18, scale=2), nullable=False),
    sa.Column('personal_amount', core.db.meta.ScaledDecimal(precision=18, scale=2), nullable=False),
    sa.Column('increase_heads', sa.Integer(), nullable=False),
    sa.Column('increase_amount', core.db.meta.ScaledDecimal(precision=18, scale=2), nullable=False),
    sa.Column('decrease_heads', sa.Integer(), nullable=False),
    sa.Column('decrease_amount', core.db.meta.ScaledDecimal(precision=18, scale=2), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('flow_no', sa.String(length=32), nullable=True),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("month IS NULL OR month LIKE '____-__'", name=op.f('ck_remittance_verifications_month_month')),
    sa.CheckConstraint("status IN ('verified', 'paid', 'cancelled')", name=op.f('ck_remittance_verifications_status')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_remittance_verifications_application_id_applications')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_remittance_verifications_payment_id_payments')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_remittance_verifications_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_remittance_verifications'))
    )
    op.create_index(op.f('ix_remittance_verifications_batch_no'), 'remittance_verifications', ['batch_no'], unique=False)
    op.create_index(op.f('ix_remittance_verifications_unit_id'), 'remittance_verifications', ['unit_id'], unique=False)
    op.create_index('uq_remittance_verifications_live_month', 'remittance_verifications', ['unit_id', 'month'], unique=True, sqlite_where=sa.text("status <> 'cancelled'"), postgresql_where=sa.text("status <> 'cancelled'"))
    op.create_table('supplements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_no', sa.String(length=32), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=100), nullable=False),
    sa.Column('headcount', sa.Integer(), nullable=False),
    sa.Column('amount', core.db.meta.ScaledDecimal(precision=18, scale=2), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('flow_no', sa.String(length=32), nullable=True),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('by_month', 'free')", name=op.f('ck_supplements_kind')),
    sa.CheckConstraint("status IN ('verified', 'paid', 'cancelled')", name=op.f('ck_supplements_status')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_supplements_application_id_applications')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_supplements_payment_id_payments')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_supplements_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supplements')),
    sa.UniqueConstraint('batch_no', name=op.f('uq_supplements_batch_no'))
    )
    op.create_index(op.f('ix_supplements_unit_id'), 'supplements', ['unit_id'], unique=False)
    op.create_table('remittance_details',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('verification_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('base', core.db.meta.ScaledDecimal(precision=18, scale=2), nullable=False),
    sa.Column('unit_amount', core.db.meta.ScaledDecimal(precision=18, scale=2), nullable=False),
    sa.Column('personal_amount', core.db.meta.ScaledDecimal(precision=18, scale=2), nullable=False),
    sa.Column('amount', core.db.meta.ScaledDecimal(precision=18, scale=2), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_remittance_details')),
    sa.UniqueConstraint('verification_id', 'account_id', name=op.f('uq_remittance_details_verification_id_account_id'))
    )
    op.create_index(op.f('ix_remittance_details_account_id'), 'remittance_details', ['account_id'], unique=False)
    op.create_table('supplement_details',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supplement_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=True),
    sa.Column('base', core.db.meta.ScaledDecimal(precision=18, scale=2), nullable=True),
    sa.Column('unit_amount', core.db.meta.ScaledDecimal(precision=18, scale=2), nullable=False),
    sa.Column('personal_amount', core.db.meta.ScaledDecimal(precision=18, scale=2), nullable=False),
    sa.Column('amount', core.db.meta.ScaledDecimal(precision=18, scale=2), nullable=False),
    sa.CheckConstraint("month IS NULL OR month LIKE '____-__'", name=op.f('ck_supplement_details_month_month')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_supplement_details_account_id_accounts')),
    sa.ForeignKeyConstraint(['supplement_id'], ['supplements.id'], name=op.f('fk_supplement_details_supplement_id_supplements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supplement_details'))
    )
    op.create_index(op.f('ix_supplement_details_account_id'), 'supplement_details', ['account_id'], unique=False)
    op.create_index(op.f('ix_supplement_details_supplement_id'), 'supplement_details', ['supplement_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_supplement_details_supplement_id'), table_name='supplement_details')
    op.drop_index(op.f('ix_supplement_details_account_id'), table_name='supplement_details')
    op.drop_table('supplement_details')
    op.drop_index(op.f('ix_remittance_details_account_id'), table_name='remittance_details')
    op.drop_table('remittance_details')
    op.drop_index(op.f('ix_supplements_unit_id'), table_name='supplements')
    op.drop_table('supplements')
    op.drop_index('uq_remittance_verifications_live_month', table_name='remittance_verifications', sqlite_where=sa.text("status <> 'cancelled'"), postgresql_where=sa.text("status <> 'cancelled'"))
    op.drop_index(op.f('ix_remittance_verifications_unit_id'), table_name='remittance_verifications')
    op.drop_index(op.f('ix_remittance_verifications_batch_no'), table_name='remittance_verifications')
    op.drop_table('remittance_verifications')
    op.drop_index(op.f('ix_ratio_changes_unit_id'), table_name='ratio_changes')
    op.drop_table('ratio_changes')
    op.drop_index(op.f('ix_messages_unit_id'), table_name='messages')
    op.drop_table('messages')
    op.drop_index(op.f('ix_materials_sha256'), table_name='materials')
    op.drop_index(op.f('ix_materials_application_id'), table_name='materials')
    op.drop_table('materials')
    op.drop_index('ix_ledger_entries_unit_kind_booked', table_name='ledger_entries')
    op.drop_index(op.f('ix_ledger_entries_flow_no'), table_name='ledger_entries')
    op.drop_index(op.f('ix_ledger_entries_application_id'), table_name='ledger_entries')
    op.drop_index('ix_ledger_entries_account_booked', table_name='ledger_entries')
    op.drop_table('ledger_entries')
    op.drop_index(op.f('ix_change_records_unit_id'), table_name='change_records')
    op.drop_index('ix_change_records_entity', table_name='change_records')
    op.drop_index(op.f('ix_change_records_application_id'), table_name='change_records')
    op.drop_table('change_records')
    op.drop_index(op.f('ix_application_rows_account_id'), table_name='application_rows')
    op.drop_table('application_rows')
    op.drop_index(op.f('ix_application_history_application_id'), table_name='application_history')
    op.drop_table('application_history')
    op.drop_index(op.f('ix_applications_unit_id'), table_name='applications')
    op.drop_index(op.f('ix_applications_status'), table_name='applications')
    op.drop_index(op.f('ix_applications_item_code'), table_name='applications')
    op.drop_table('applications')
    op.drop_index('uq_accounts_person_normal', table_name='accounts', sqlite_where=sa.text("state = '01'"), postgresql_where=sa.text("state = '01'"))
    op.drop_index(op.f('ix_accounts_unit_id'), table_name='accounts')
    op.drop_index(op.f('ix_accounts_state'), table_name='accounts')
    op.drop_index(op.f('ix_accounts_person_id'), table_name='accounts')
    op.drop_table('accounts')
    op.drop_index(op.f('ix_payments_unit_id'), table_name='payments')
    op.drop_table('payments')
    op.drop_index(op.f('ix_operators_unit_id'), table_name='operators')
    op.drop_index(op.f('ix_operators_id_no'), table_name='operators')
    op.drop_table('operators')
    op.drop_index(op.f('ix_departments_unit_id'), table_name='departments')
    op.drop_table('departments')
    op.drop_index(op.f('ix_bank_accounts_unit_id'), table_name='bank_accounts')
    op.drop_table('bank_accounts')
    op.drop_table('units')
    op.drop_index(op.f('ix_persons_name'), table_name='persons')
    op.drop_table('persons')
    op.drop_table('interest_settlements')
    op.drop_table('counters')
    op.drop_table('clerks')
