"""One unit of work over the project store: the repositories, sharing one session."""

from __future__ import annotations

from codebench.store.repo_codebook import CodebookRepo
from codebench.store.repo_codings import CodingsRepo
from codebench.store.repo_harmonise import HarmoniseRepo
from codebench.store.repo_journal import JournalRepo
from codebench.store.repo_lead import LeadRepo
from codebench.store.repo_merge import MergeRepo
from codebench.store.repo_reads import ReadsRepo
from codebench.store.repo_transcripts import TranscriptsRepo


class Tx(TranscriptsRepo, CodingsRepo, CodebookRepo, HarmoniseRepo, JournalRepo, MergeRepo, LeadRepo,
         ReadsRepo):
    """Everything a service may do inside one transaction. Services never see the Session."""
