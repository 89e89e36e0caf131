"""The fictional sample study used by `codebench demo` (installed as codebench.sample_transcripts)."""
