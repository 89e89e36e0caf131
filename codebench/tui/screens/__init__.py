"""codebench.tui.screens."""
