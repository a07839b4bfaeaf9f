"""Printed vouchers (凭证) and their verification codes

Revision ID: 0007
Revises: 0006

Materials themselves are in 0001 (``materials``); a voucher row links an application and
a layout to the fixed material holding its PDF and to the short code of /v/{code}.
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('vouchers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('layout', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('material_id', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.String(length=64), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('fixed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'fixed', 'failed')", name=op.f('ck_vouchers_status_code')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'],
                            name=op.f('fk_vouchers_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['material_id'], ['materials.id'], name=op.f('fk_vouchers_material_id_materials')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vouchers')),
    sa.UniqueConstraint('application_id', 'layout', name=op.f('uq_vouchers_application_id_layout')),
    sa.UniqueConstraint('code', name=op.f('uq_vouchers_code')),
    )
    op.create_index(op.f('ix_vouchers_application_id'), 'vouchers', ['application_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_vouchers_application_id'), table_name='vouchers')
    op.drop_table('vouchers')
