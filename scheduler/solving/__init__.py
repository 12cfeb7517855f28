"""Solving a planning period: the data check, solve jobs run by a background worker, progress."""
