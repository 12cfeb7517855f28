"""Forms of the solving area: buttons only, which still need a CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm


class ActionForm(FlaskForm):
    """A button that changes state (Solve, Retry, Cancel): its only field is the CSRF token."""
