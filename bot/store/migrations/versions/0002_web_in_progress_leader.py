"""Today's schema (version 2): in-progress marks, the status page's logins, the leader lease, an events index;
on PostgreSQL, 64-bit IMAP UIDs and byte-order recipients.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UID32 = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table('in_progress',
    sa.Column('account', sa.String(), nullable=False),
    sa.Column('folder', sa.String(), nullable=False),
    sa.Column('uidvalidity', UID32, autoincrement=False, nullable=False),
    sa.Column('uid', UID32, autoincrement=False, nullable=False),
    sa.Column('starts', sa.Integer(), nullable=False),
    sa.Column('first_started_at', sa.DateTime(), nullable=False),
    sa.Column('sha256', sa.String(), nullable=True),
    sa.PrimaryKeyConstraint('account', 'folder', 'uidvalidity', 'uid')
    )
    op.create_table('leader_lease',
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('holder', sa.String(), nullable=False),
    sa.Column('epoch', sa.Integer(), nullable=False),
    sa.Column('acquired_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('web_login_tokens',
    sa.Column('token_sha256', sa.String(), nullable=False),
    sa.Column('address', sa.String(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('token_sha256')
    )
    op.create_index('ix_web_login_tokens_address', 'web_login_tokens', ['address', 'created_at'], unique=False)
    op.create_table('web_sessions',
    sa.Column('token_sha256', sa.String(), nullable=False),
    sa.Column('address', sa.String(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('csrf', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('token_sha256')
    )
    op.create_index(op.f('ix_web_sessions_expires_at'), 'web_sessions', ['expires_at'], unique=False)
    op.create_index('ix_events_kind_at', 'events', ['kind', 'at'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # SQLite's INTEGER is 64-bit and compares text bytewise already.
        for table, column in (("inbound", "uidvalidity"), ("inbound", "uid"), ("folders", "uidvalidity"),
                              ("folders", "last_uid")):
            op.alter_column(table, column, type_=sa.BigInteger(), existing_nullable=False)
        op.alter_column("deliveries", "recipient", type_=sa.String(collation="C"), existing_nullable=False)
    meta = sa.table("meta", sa.column("key", sa.String()), sa.column("value", sa.String()))
    op.execute(meta.update().where(meta.c.key == "schema_version").values(value="2"))


def downgrade() -> None:
    raise NotImplementedError("restore the backup taken before the upgrade")
