"""drop the index on codings.transcript_id: codings are read by coder and transcript

Every hot read of codings (the coding screen, status, imports, exports by coder) goes through
ix_codings_coder_transcript; the few reads by transcript alone (replacing or deleting a transcript,
counting its codings) scan the table in milliseconds. The index only slowed every coding insert.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_codings_transcript_id", table_name="codings")


def downgrade() -> None:
    op.create_index("ix_codings_transcript_id", "codings", ["transcript_id"], unique=False)
