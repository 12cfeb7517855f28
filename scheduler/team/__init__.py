"""Managers' area: the team's training time per person and week, follow-up progress, a chart,
the CSV export of the same table and a calendar feed of the team's sessions."""
