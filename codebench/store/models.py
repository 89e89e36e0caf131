"""SQLAlchemy 2.0 models of a codebench project (one database = one study)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Coder(Base):
    __tablename__ = "coders"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Transcript(Base):
    __tablename__ = "transcripts"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    position: Mapped[int] = mapped_column(Integer)  # import order, the default analysis order
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)
    source_format: Mapped[str] = mapped_column(String(10))
    source_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    turns: Mapped[list[Turn]] = relationship(
        back_populates="transcript", cascade="all, delete-orphan", order_by="Turn.idx"
    )
    attributes: Mapped[list[TranscriptAttribute]] = relationship(
        cascade="all, delete-orphan", order_by="TranscriptAttribute.key"
    )


class TranscriptAttribute(Base):
    """A participant attribute of the interview (field, years of experience, ...)."""

    __tablename__ = "transcript_attributes"
    transcript_id: Mapped[int] = mapped_column(
        ForeignKey("transcripts.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Turn(Base):
    __tablename__ = "turns"
    __table_args__ = (UniqueConstraint("transcript_id", "idx"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcripts.id", ondelete="CASCADE"))
    idx: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(200))
    start: Mapped[int] = mapped_column(Integer)
    speech_start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    start_time: Mapped[float | None] = mapped_column(Float, nullable=True)
    end_time: Mapped[float | None] = mapped_column(Float, nullable=True)
    transcript: Mapped[Transcript] = relationship(back_populates="turns")


class Category(Base):
    """Top level of the codebook (by default: methods, goals, contextual factors)."""

    __tablename__ = "categories"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Theme(Base):
    __tablename__ = "themes"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    definition: Mapped[str | None] = mapped_column(Text, nullable=True)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL"), nullable=True
    )


class HarmonisedCode(Base):
    """A code the team agreed on; raw codes map to it many-to-one."""

    __tablename__ = "harmonised_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    definition: Mapped[str | None] = mapped_column(Text, nullable=True)
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("themes.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Code(Base):
    """A raw code: one coder's label, unique per coder case-insensitively."""

    __tablename__ = "codes"
    __table_args__ = (UniqueConstraint("coder_id", "label_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    coder_id: Mapped[int] = mapped_column(ForeignKey("coders.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(300))
    label_key: Mapped[str] = mapped_column(String(300))  # casefolded label
    memo: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    harmonised_code_id: Mapped[int | None] = mapped_column(
        ForeignKey("harmonised_codes.id", ondelete="SET NULL"), nullable=True, index=True
    )


class Coding(Base):
    """A quote (character span of the stored text) that a coder tagged with one of their codes."""

    __tablename__ = "codings"
    __table_args__ = (
        UniqueConstraint("code_id", "transcript_id", "start", "end"),
        Index("ix_codings_coder_transcript", "coder_id", "transcript_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    coder_id: Mapped[int] = mapped_column(ForeignKey("coders.id", ondelete="CASCADE"))
    code_id: Mapped[int] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"))  # indexed by the unique key
    # Not indexed on its own: codings are read by coder and transcript (the index above); a read by
    # transcript alone (replace, delete, count) scans the table in milliseconds.
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcripts.id", ondelete="CASCADE"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text)
    memo: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CodingStatus(Base):
    """Per coder and transcript: not started / in progress / done."""

    __tablename__ = "coding_status"
    coder_id: Mapped[int] = mapped_column(
        ForeignKey("coders.id", ondelete="CASCADE"), primary_key=True
    )
    transcript_id: Mapped[int] = mapped_column(
        ForeignKey("transcripts.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class MergeDecision(Base):
    """Append-only log of harmonisation decisions (merge, reject, split, rename, undo, ...)."""

    __tablename__ = "merge_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    action: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)  # JSON: what changed, enough to undo it
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    undone: Mapped[bool] = mapped_column(Boolean, default=False)


class NeverMerge(Base):
    """A pair of raw codes the team rejected as synonyms (lower id first)."""

    __tablename__ = "never_merge"
    __table_args__ = (UniqueConstraint("code_a_id", "code_b_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code_a_id: Mapped[int] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"))
    code_b_id: Mapped[int] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"))


class CodingAction(Base):
    """Journal of a coder's coding actions, for undo/redo that survives a restart."""

    __tablename__ = "coding_actions"
    id: Mapped[int] = mapped_column(primary_key=True)
    coder_id: Mapped[int] = mapped_column(ForeignKey("coders.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)  # JSON: before/after states
    undone: Mapped[bool] = mapped_column(Boolean, default=False)


class Setting(Base):
    """Per-project settings (abbreviation glossary, ...), JSON values."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
