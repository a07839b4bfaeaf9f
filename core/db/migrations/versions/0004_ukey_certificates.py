"""UKey certificates and login challenges

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ukey_certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('algorithm', sa.String(length=8), nullable=False),
    sa.Column('material', sa.Text(), nullable=False),
    sa.Column('public_key', sa.String(length=130), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=True),
    sa.Column('not_after', sa.DateTime(timezone=True), nullable=True),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('registered_by', sa.String(length=100), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.String(length=100), nullable=True),
    sa.CheckConstraint("algorithm IN ('sm2', 'p256')", name=op.f('ck_ukey_certificates_algorithm')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_ukey_certificates_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ukey_certificates')),
    sa.UniqueConstraint('fingerprint', name=op.f('uq_ukey_certificates_fingerprint'))
    )
    op.create_index(op.f('ix_ukey_certificates_unit_id'), 'ukey_certificates', ['unit_id'], unique=False)
    op.create_index('uq_ukey_certificates_live_unit', 'ukey_certificates', ['unit_id'], unique=True, sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))

    op.create_table('login_challenges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('address', sa.String(length=45), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_challenges')),
    sa.UniqueConstraint('nonce', name=op.f('uq_login_challenges_nonce'))
    )
    op.create_index(op.f('ix_login_challenges_issued_at'), 'login_challenges', ['issued_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_login_challenges_issued_at'), table_name='login_challenges')
    op.drop_table('login_challenges')
    op.drop_index('uq_ukey_certificates_live_unit', table_name='ukey_certificates', sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))
    op.drop_index(op.f('ix_ukey_certificates_unit_id'), table_name='ukey_certificates')
    op.drop_table('ukey_certificates')
