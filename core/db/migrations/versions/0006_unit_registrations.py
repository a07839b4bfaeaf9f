"""Self-service unit registrations and provincial identities

Revision ID: 0006
Revises: 0005

Provincial-platform login (plugins/provincial_login.py) maps an identity to an operator
by the ID number claim and needs no table of its own; only 自主开户's applications are
stored here.
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('unit_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('unit_name', sa.String(length=200), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('legal_rep', sa.String(length=60), nullable=False),
    sa.Column('contact_name', sa.String(length=60), nullable=False),
    sa.Column('contact_phone', sa.String(length=20), nullable=False),
    sa.Column('bank_name', sa.String(length=100), nullable=True),
    sa.Column('bank_account_no', sa.String(length=40), nullable=True),
    sa.Column('operator_name', sa.String(length=60), nullable=False),
    sa.Column('operator_id_no', sa.String(length=30), nullable=False),
    sa.Column('operator_phone', sa.String(length=20), nullable=False),
    sa.Column('login_name', sa.String(length=60), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('opinion', sa.Text(), nullable=True),
    sa.Column('reviewed_by', sa.String(length=100), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('client_addr', sa.String(length=45), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'approved', 'returned')",
                       name=op.f('ck_unit_registrations_status_code')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_unit_registrations_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_registrations')),
    sa.UniqueConstraint('token', name=op.f('uq_unit_registrations_token'))
    )
    op.create_index(op.f('ix_unit_registrations_credit_code'), 'unit_registrations', ['credit_code'], unique=False)
    op.create_index(op.f('ix_unit_registrations_status'), 'unit_registrations', ['status'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_unit_registrations_status'), table_name='unit_registrations')
    op.drop_index(op.f('ix_unit_registrations_credit_code'), table_name='unit_registrations')
    op.drop_table('unit_registrations')
