"""The landing page after sign-in: each role sees where to start, the coordinator what needs
attention (``alerts``); and the site's icon."""

from flask import Blueprint, current_app, render_template, send_from_directory
from flask_login import current_user, login_required

from scheduler.home.alerts import coordinator_alerts
from scheduler.models import Role

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index():
    alerts = coordinator_alerts() if current_user.role == Role.COORDINATOR else []
    return render_template("home/index.html", user=current_user, alerts=alerts)


@bp.route("/favicon.ico")
def favicon():
    """The site's icon where browsers look for it whatever a page links (pages link the SVG)."""
    return send_from_directory(
        current_app.static_folder, "favicon.ico", mimetype="image/x-icon", max_age=86400
    )
