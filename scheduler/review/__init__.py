"""Reviewing a schedule version: its calendar, costs and diff against the published plan; publishing it."""
