"""Routes of the programs area."""

from flask import Blueprint

bp = Blueprint("programs", __name__)
