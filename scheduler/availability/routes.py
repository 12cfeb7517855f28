"""Routes of the availability area."""

from flask import Blueprint

bp = Blueprint("availability", __name__)
