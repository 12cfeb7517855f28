"""Routes of the sites area."""

from flask import Blueprint

bp = Blueprint("sites", __name__)
