"""codebench.cli."""
