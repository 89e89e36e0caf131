"""codebench.tui.widgets."""
