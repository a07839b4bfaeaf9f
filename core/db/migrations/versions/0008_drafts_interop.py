"""Vouchers printed from drafts (superseded when the draft changes); the 互联互通 registry

Revision ID: 0008
Revises: 0007

A voucher may now be printed before submission (centre setting ``vouchers.print_from``):
an application can hold earlier, superseded prints of a layout, so (application, layout)
is no longer unique, and ``content_sha256`` records what was printed.
"""
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('vouchers') as batch:
        batch.drop_constraint(op.f('uq_vouchers_application_id_layout'), type_='unique')
        batch.drop_constraint(op.f('ck_vouchers_status_code'), type_='check')
        batch.create_check_constraint(op.f('ck_vouchers_status_code'),
                                      "status IN ('pending', 'fixed', 'failed', 'superseded')")
        batch.add_column(sa.Column('content_sha256', sa.String(length=64), nullable=True))
    op.create_table('interop_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('enterprise', 'population')", name=op.f('ck_interop_records_kind_code')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interop_records')),
    sa.UniqueConstraint('kind', 'key', name=op.f('uq_interop_records_kind_key')),
    )
    op.create_index(op.f('ix_interop_records_name'), 'interop_records', ['name'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_interop_records_name'), table_name='interop_records')
    op.drop_table('interop_records')
    op.execute("DELETE FROM vouchers WHERE status = 'superseded'")
    with op.batch_alter_table('vouchers') as batch:
        batch.drop_column('content_sha256')
        batch.drop_constraint(op.f('ck_vouchers_status_code'), type_='check')
        batch.create_check_constraint(op.f('ck_vouchers_status_code'), "status IN ('pending', 'fixed', 'failed')")
        batch.create_unique_constraint(op.f('uq_vouchers_application_id_layout'), ['application_id', 'layout'])
