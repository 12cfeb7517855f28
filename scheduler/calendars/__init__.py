"""Calendars: .ics downloads, secret subscription feeds, and invitations by e-mail on publish."""
