"""Forms of the publishing area: the confirm button, which still needs a CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):
    """The confirmation page's Publish button: its only field is the CSRF token."""
