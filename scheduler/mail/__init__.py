"""Outgoing mail: compose messages into the outbox, and deliver the outbox (docs/calendar.md)."""
