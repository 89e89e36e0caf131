"""codebench.services."""
