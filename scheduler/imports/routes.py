"""Routes of the imports area."""

from flask import Blueprint

bp = Blueprint("imports", __name__)
