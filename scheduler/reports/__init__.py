"""Coordinators' reports: the cost report of a schedule, the cost model (instructor-led,
microlearning, blended, break-even) and the pilot comparison of two groups of cohorts."""
