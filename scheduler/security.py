"""Response hardening applied to every request."""

from __future__ import annotations

from flask import Flask, Response, abort, request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
#: Production is served over HTTPS only: browsers that saw this once refuse plain HTTP to the
#: host for a year, so a network attacker cannot strip TLS from a later visit.
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    """Send security headers on every response (no inline scripts are allowed by the CSP), and
    HSTS in production (a development server on plain HTTP must stay reachable)."""
    production = app.config.get("ENV") == "production"

    @app.before_request
    def refuse_nul_characters() -> None:
        # No form field legitimately holds a NUL character, and PostgreSQL refuses to store
        # one (found by tests/test_fuzz.py): refuse it before any view sees it.
        values = [*request.args.values(), *(request.form.values() if request.form else [])]
        if any("\x00" in value for value in values):
            abort(400, "Text cannot contain NUL characters.")

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if production:
            response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
        return response
