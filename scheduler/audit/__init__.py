"""The audit log: who published, moved, pinned, locked or released which session, and when."""
