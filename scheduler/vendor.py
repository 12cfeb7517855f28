"""Front-end libraries installed by npm, served from ``node_modules`` by the app itself.

Pages never load code from a CDN and the repository holds no third-party code: ``npm ci``
(run by scripts/run and scripts/test) installs what ``package-lock.json`` pins, and this
blueprint serves only the files listed in ``ASSETS`` from there, so nothing else in
``node_modules`` (sources, READMEs, other packages) is reachable over HTTP.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, send_from_directory

from scheduler.security import CONTENT_SECURITY_POLICY

#: The files pages may load, relative to ``node_modules``.
ASSETS = frozenset(
    {
        "fullcalendar/index.global.min.js",  # FullCalendar v6 standard bundle (daygrid, timegrid, list)
        "chart.js/dist/chart.umd.js",  # Chart.js v4 UMD build (global ``Chart``): report charts
    }
)

# FullCalendar v6 ships no CSS file: it adds one empty <style data-fullcalendar> element and fills
# it through the CSSOM, which CSP does not inspect, and embeds its arrow icons as a data: font.
# Allowing exactly the empty inline style (by its hash) and data: fonts is all it needs; every
# other inline style and script stays blocked.
EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
CALENDAR_POLICY = (
    CONTENT_SECURITY_POLICY.replace("style-src 'self'", f"style-src 'self' {EMPTY_STYLE_HASH}")
    + "; font-src 'self' data:"
)

bp = Blueprint("vendor", __name__)


def node_modules() -> Path:
    """The ``node_modules`` folder the assets are served from (config ``NODE_MODULES_PATH``)."""
    return Path(current_app.config["NODE_MODULES_PATH"])


def vendor_ready(filename: str) -> bool:
    """Whether ``filename`` is installed, so a page can say so instead of failing silently."""
    return filename in ASSETS and (node_modules() / filename).is_file()


@bp.route("/vendor/<path:filename>")
def asset(filename: str):
    if filename not in ASSETS:
        abort(404)
    return send_from_directory(node_modules(), filename, max_age=3600)


def allow_calendar(response: Response) -> Response:
    """Let ``response``'s page run FullCalendar under the CSP (see ``CALENDAR_POLICY``)."""
    response.headers["Content-Security-Policy"] = CALENDAR_POLICY
    return response


def init_app(app: Flask, default_path: Path) -> None:
    """Serve the assets; ``default_path`` is the checkout's ``node_modules``."""
    app.config.setdefault("NODE_MODULES_PATH", str(default_path))
    app.register_blueprint(bp)
    app.jinja_env.globals["vendor_ready"] = vendor_ready
