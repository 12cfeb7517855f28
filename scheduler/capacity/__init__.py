"""Capacity planning: "how many facilitators do I need?" for a planning period (issue 19)."""
