"""One unit of work over the project store: the repositories, sharing one session."""

from __future__ import annotations

from codebench.store.repo_codebook import CodebookRepo
from codebench.store.repo_codings import CodingsRepo
from codebench.store.repo_transcripts import TranscriptsRepo


class Tx(TranscriptsRepo, CodingsRepo, CodebookRepo):
    """Everything a service may do inside one transaction. Services never see the Session."""
