"""codebench.tui."""
