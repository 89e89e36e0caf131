"""drop the index on codings.transcript_id: codings are read by coder and transcript, or by code

The hot reads of codings go through ix_codings_coder_transcript (a coder's codings, in a transcript) or
the unique key (code, transcript, start, end), which covers every count and first coding per code of the
codebook export. The few reads by transcript alone (replacing a transcript, counting its codings) scan
the table in milliseconds. The index only slowed every coding insert.

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
