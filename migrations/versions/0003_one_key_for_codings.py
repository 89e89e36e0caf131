"""codings: one key (coder, transcript, code, start, end) instead of a unique key and two indexes

The unique key was (code, transcript, start, end), with separate indexes on (coder, transcript) and on
transcript. A code belongs to one coder, so (coder, transcript, code, start, end) is unique exactly when
the old key is, and as a prefix it serves every hot read: a coder's codings, and a coder's codings in a
transcript. Reads by code alone or by transcript alone (the lead's view of one raw code, merging codes,
replacing a transcript) scan the table, in milliseconds. Each coding insert now updates one index
instead of three.

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
    with op.batch_alter_table("codings") as batch:
        batch.drop_index("ix_codings_coder_transcript")
        batch.drop_index("ix_codings_transcript_id")
        batch.drop_constraint("uq_codings_code_id", type_="unique")
        batch.create_unique_constraint("uq_codings_coder_id", ["coder_id", "transcript_id", "code_id", "start", "end"])


def downgrade() -> None:
    with op.batch_alter_table("codings") as batch:
        batch.drop_constraint("uq_codings_coder_id", type_="unique")
        batch.create_unique_constraint("uq_codings_code_id", ["code_id", "transcript_id", "start", "end"])
        batch.create_index("ix_codings_transcript_id", ["transcript_id"], unique=False)
        batch.create_index("ix_codings_coder_transcript", ["coder_id", "transcript_id"], unique=False)
