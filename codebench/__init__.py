"""codebench: a qualitative-coding workbench for interview transcripts."""

__version__ = "0.1.0"
