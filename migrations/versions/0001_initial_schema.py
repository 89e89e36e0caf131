"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_categories')),
    sa.UniqueConstraint('name', name=op.f('uq_categories_name'))
    )
    op.create_table('coders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coders')),
    sa.UniqueConstraint('name', name=op.f('uq_coders_name'))
    )
    op.create_table('merge_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('by', sa.String(length=200), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('undone', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_merge_log'))
    )
    op.create_table('settings',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_settings'))
    )
    op.create_table('transcripts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('source_format', sa.String(length=10), nullable=False),
    sa.Column('source_path', sa.Text(), nullable=True),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transcripts')),
    sa.UniqueConstraint('name', name=op.f('uq_transcripts_name'))
    )
    with op.batch_alter_table('transcripts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transcripts_content_hash'), ['content_hash'], unique=False)

    op.create_table('coding_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coder_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('undone', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['coder_id'], ['coders.id'], name=op.f('fk_coding_actions_coder_id_coders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coding_actions'))
    )
    with op.batch_alter_table('coding_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coding_actions_coder_id'), ['coder_id'], unique=False)

    op.create_table('coding_status',
    sa.Column('coder_id', sa.Integer(), nullable=False),
    sa.Column('transcript_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['coder_id'], ['coders.id'], name=op.f('fk_coding_status_coder_id_coders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['transcript_id'], ['transcripts.id'], name=op.f('fk_coding_status_transcript_id_transcripts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('coder_id', 'transcript_id', name=op.f('pk_coding_status'))
    )
    op.create_table('themes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('definition', sa.Text(), nullable=True),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_themes_category_id_categories'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_themes')),
    sa.UniqueConstraint('name', name=op.f('uq_themes_name'))
    )
    op.create_table('transcript_attributes',
    sa.Column('transcript_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['transcript_id'], ['transcripts.id'], name=op.f('fk_transcript_attributes_transcript_id_transcripts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('transcript_id', 'key', name=op.f('pk_transcript_attributes'))
    )
    op.create_table('turns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transcript_id', sa.Integer(), nullable=False),
    sa.Column('idx', sa.Integer(), nullable=False),
    sa.Column('speaker', sa.String(length=200), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('speech_start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('start_time', sa.Float(), nullable=True),
    sa.Column('end_time', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['transcript_id'], ['transcripts.id'], name=op.f('fk_turns_transcript_id_transcripts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_turns')),
    sa.UniqueConstraint('transcript_id', 'idx', name=op.f('uq_turns_transcript_id'))
    )
    op.create_table('harmonised_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('definition', sa.Text(), nullable=True),
    sa.Column('theme_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['theme_id'], ['themes.id'], name=op.f('fk_harmonised_codes_theme_id_themes'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_harmonised_codes')),
    sa.UniqueConstraint('name', name=op.f('uq_harmonised_codes_name'))
    )
    op.create_table('codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coder_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('label_key', sa.String(length=300), nullable=False),
    sa.Column('memo', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('harmonised_code_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['coder_id'], ['coders.id'], name=op.f('fk_codes_coder_id_coders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['harmonised_code_id'], ['harmonised_codes.id'], name=op.f('fk_codes_harmonised_code_id_harmonised_codes'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_codes')),
    sa.UniqueConstraint('coder_id', 'label_key', name=op.f('uq_codes_coder_id'))
    )
    with op.batch_alter_table('codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_codes_coder_id'), ['coder_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_codes_harmonised_code_id'), ['harmonised_code_id'], unique=False)

    op.create_table('codings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coder_id', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=False),
    sa.Column('transcript_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('quote', sa.Text(), nullable=False),
    sa.Column('memo', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['code_id'], ['codes.id'], name=op.f('fk_codings_code_id_codes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['coder_id'], ['coders.id'], name=op.f('fk_codings_coder_id_coders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['transcript_id'], ['transcripts.id'], name=op.f('fk_codings_transcript_id_transcripts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_codings')),
    sa.UniqueConstraint('code_id', 'transcript_id', 'start', 'end', name=op.f('uq_codings_code_id'))
    )
    with op.batch_alter_table('codings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_codings_code_id'), ['code_id'], unique=False)
        batch_op.create_index('ix_codings_coder_transcript', ['coder_id', 'transcript_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_codings_transcript_id'), ['transcript_id'], unique=False)

    op.create_table('never_merge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_a_id', sa.Integer(), nullable=False),
    sa.Column('code_b_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['code_a_id'], ['codes.id'], name=op.f('fk_never_merge_code_a_id_codes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['code_b_id'], ['codes.id'], name=op.f('fk_never_merge_code_b_id_codes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_never_merge')),
    sa.UniqueConstraint('code_a_id', 'code_b_id', name=op.f('uq_never_merge_code_a_id'))
    )


def downgrade() -> None:
    op.drop_table('never_merge')
    with op.batch_alter_table('codings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_codings_transcript_id'))
        batch_op.drop_index('ix_codings_coder_transcript')
        batch_op.drop_index(batch_op.f('ix_codings_code_id'))

    op.drop_table('codings')
    with op.batch_alter_table('codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_codes_harmonised_code_id'))
        batch_op.drop_index(batch_op.f('ix_codes_coder_id'))

    op.drop_table('codes')
    op.drop_table('harmonised_codes')
    op.drop_table('turns')
    op.drop_table('transcript_attributes')
    op.drop_table('themes')
    op.drop_table('coding_status')
    with op.batch_alter_table('coding_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coding_actions_coder_id'))

    op.drop_table('coding_actions')
    with op.batch_alter_table('transcripts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transcripts_content_hash'))

    op.drop_table('transcripts')
    op.drop_table('settings')
    op.drop_table('merge_log')
    op.drop_table('coders')
    op.drop_table('categories')
