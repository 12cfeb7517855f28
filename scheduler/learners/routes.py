"""Routes of the learners area."""

from flask import Blueprint

bp = Blueprint("learners", __name__)
