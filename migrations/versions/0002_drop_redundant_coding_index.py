"""drop the index on codings.code_id that the unique key already covers

The unique constraint (code_id, transcript_id, start, end) starts with code_id, so a separate index on
code_id only slows every coding insert.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_codings_code_id", table_name="codings")


def downgrade() -> None:
    op.create_index("ix_codings_code_id", "codings", ["code_id"], unique=False)
