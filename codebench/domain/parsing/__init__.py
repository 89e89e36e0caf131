"""Building blocks of transcript parsing; the public API is ``codebench.domain.transcripts``."""
