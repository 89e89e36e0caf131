"""Shared base of the repositories that make up a transaction (``Tx``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from codebench.domain.errors import NotFoundError
from codebench.store import models as m


class RepoBase:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _coder(self, name: str) -> m.Coder:
        row = self.session.scalar(select(m.Coder).where(m.Coder.name == name))
        if row is None:
            raise NotFoundError(f"unknown coder {name!r} (codebench coder add {name})")
        return row

    def _transcript(self, name: str) -> m.Transcript:
        row = self.session.scalar(select(m.Transcript).where(m.Transcript.name == name))
        if row is None:
            raise NotFoundError(f"unknown transcript {name!r}")
        return row
