"""Item services: deferrals, ratio reductions, direct debit agreements, over-age registrations

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 10:12:00.000000
"""
from alembic import op
import sqlalchemy as sa
import core.db.meta

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('deferrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('from_month', sa.String(length=7), nullable=False),
    sa.Column('to_month', sa.String(length=7), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("from_month IS NULL OR from_month LIKE '____-__'", name=op.f('ck_deferrals_from_month_month')),
    sa.CheckConstraint("to_month IS NULL OR to_month LIKE '____-__'", name=op.f('ck_deferrals_to_month_month')),
    sa.CheckConstraint('from_month <= to_month', name=op.f('ck_deferrals_period')),
    sa.CheckConstraint("status IN ('active', 'cancelled')", name=op.f('ck_deferrals_status')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_deferrals_application_id_applications')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_deferrals_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deferrals'))
    )
    op.create_index(op.f('ix_deferrals_unit_id'), 'deferrals', ['unit_id'], unique=False)

    op.create_table('ratio_reductions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('unit_ratio', core.db.meta.ScaledDecimal(precision=6, scale=4), nullable=False),
    sa.Column('personal_ratio', core.db.meta.ScaledDecimal(precision=6, scale=4), nullable=False),
    sa.Column('previous_unit_ratio', core.db.meta.ScaledDecimal(precision=6, scale=4), nullable=False),
    sa.Column('previous_personal_ratio', core.db.meta.ScaledDecimal(precision=6, scale=4), nullable=False),
    sa.Column('from_month', sa.String(length=7), nullable=False),
    sa.Column('to_month', sa.String(length=7), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('restored_by_application_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('restored_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("from_month IS NULL OR from_month LIKE '____-__'", name=op.f('ck_ratio_reductions_from_month_month')),
    sa.CheckConstraint("to_month IS NULL OR to_month LIKE '____-__'", name=op.f('ck_ratio_reductions_to_month_month')),
    sa.CheckConstraint('from_month <= to_month', name=op.f('ck_ratio_reductions_period')),
    sa.CheckConstraint("status IN ('active', 'restored')", name=op.f('ck_ratio_reductions_status')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_ratio_reductions_application_id_applications')),
    sa.ForeignKeyConstraint(['restored_by_application_id'], ['applications.id'], name=op.f('fk_ratio_reductions_restored_by_application_id_applications')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_ratio_reductions_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ratio_reductions'))
    )
    op.create_index(op.f('ix_ratio_reductions_unit_id'), 'ratio_reductions', ['unit_id'], unique=False)
    op.create_index('uq_ratio_reductions_active_unit', 'ratio_reductions', ['unit_id'], unique=True, sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))

    op.create_table('direct_debit_agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_no', sa.String(length=32), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('bank_account_id', sa.Integer(), nullable=False),
    sa.Column('debit_day', sa.Integer(), nullable=False),
    sa.Column('start_month', sa.String(length=7), nullable=False),
    sa.Column('end_month', sa.String(length=7), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("start_month IS NULL OR start_month LIKE '____-__'", name=op.f('ck_direct_debit_agreements_start_month_month')),
    sa.CheckConstraint("end_month IS NULL OR end_month LIKE '____-__'", name=op.f('ck_direct_debit_agreements_end_month_month')),
    sa.CheckConstraint('debit_day BETWEEN 1 AND 28', name=op.f('ck_direct_debit_agreements_debit_day')),
    sa.CheckConstraint("status IN ('active', 'ended')", name=op.f('ck_direct_debit_agreements_status')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_direct_debit_agreements_application_id_applications')),
    sa.ForeignKeyConstraint(['bank_account_id'], ['bank_accounts.id'], name=op.f('fk_direct_debit_agreements_bank_account_id_bank_accounts')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_direct_debit_agreements_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_direct_debit_agreements')),
    sa.UniqueConstraint('agreement_no', name=op.f('uq_direct_debit_agreements_agreement_no'))
    )
    op.create_index(op.f('ix_direct_debit_agreements_unit_id'), 'direct_debit_agreements', ['unit_id'], unique=False)
    op.create_index('uq_direct_debit_agreements_active_unit', 'direct_debit_agreements', ['unit_id'], unique=True, sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))

    op.create_table('over_age_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('until_month', sa.String(length=7), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("until_month IS NULL OR until_month LIKE '____-__'", name=op.f('ck_over_age_registrations_until_month_month')),
    sa.CheckConstraint("status IN ('active', 'ended')", name=op.f('ck_over_age_registrations_status')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_over_age_registrations_account_id_accounts')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_over_age_registrations_application_id_applications')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_over_age_registrations_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_over_age_registrations'))
    )
    op.create_index(op.f('ix_over_age_registrations_account_id'), 'over_age_registrations', ['account_id'], unique=False)
    op.create_index(op.f('ix_over_age_registrations_unit_id'), 'over_age_registrations', ['unit_id'], unique=False)
    op.create_index('uq_over_age_registrations_active_account', 'over_age_registrations', ['account_id'], unique=True, sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))


def downgrade() -> None:
    op.drop_index('uq_over_age_registrations_active_account', table_name='over_age_registrations', sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))
    op.drop_index(op.f('ix_over_age_registrations_unit_id'), table_name='over_age_registrations')
    op.drop_index(op.f('ix_over_age_registrations_account_id'), table_name='over_age_registrations')
    op.drop_table('over_age_registrations')

    op.drop_index('uq_direct_debit_agreements_active_unit', table_name='direct_debit_agreements', sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))
    op.drop_index(op.f('ix_direct_debit_agreements_unit_id'), table_name='direct_debit_agreements')
    op.drop_table('direct_debit_agreements')

    op.drop_index('uq_ratio_reductions_active_unit', table_name='ratio_reductions', sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))
    op.drop_index(op.f('ix_ratio_reductions_unit_id'), table_name='ratio_reductions')
    op.drop_table('ratio_reductions')

    op.drop_index(op.f('ix_deferrals_unit_id'), table_name='deferrals')
    op.drop_table('deferrals')
