"""Routes of the facilitators area."""

from flask import Blueprint

bp = Blueprint("facilitators", __name__)
