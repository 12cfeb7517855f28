"""Sign-in hardening: lockout per account, throttling per address, cookie flags, headers, Host."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from scheduler import create_app
from scheduler.database import utcnow
from scheduler.extensions import db
from scheduler.models import LoginFailure, Role
from scheduler.security import CONTENT_SECURITY_POLICY
from tests.factories import PASSWORD, create_user
from tests.test_access_control import (
    client_as,
    url_for_rule,
    world,  # noqa: F401 - a fixture
)


@pytest.fixture
def account(app):
    with app.app_context():
        create_user(Role.COORDINATOR, email="ana@example.com")
        db.session.commit()
    return "ana@example.com"


def sign_in(client, email, password, address="10.0.0.1"):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_overrides={"REMOTE_ADDR": address},
    )


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client, account):
    for _ in range(5):
        assert sign_in(client, account, "wrong password").status_code == 200
    response = sign_in(client, account, PASSWORD)
    assert response.status_code == 429
    assert "locked for 15 minutes" in response.get_data(as_text=True)
    # From another address too: the lock is on the account.
    assert sign_in(client, account, PASSWORD, address="10.9.9.9").status_code == 429


def test_the_lock_ends_after_the_lockout_window(app, client, account):
    for _ in range(5):
        sign_in(client, account, "wrong password")
    with app.app_context():
        long_ago = utcnow() - timedelta(minutes=16)
        db.session.execute(update(LoginFailure).values(at=long_ago))
        db.session.commit()
    assert sign_in(client, account, PASSWORD).status_code == 302


def test_a_successful_sign_in_clears_earlier_failures(client, account):
    for _ in range(4):
        sign_in(client, account, "wrong password")
    assert sign_in(client, account, PASSWORD).status_code == 302
    client.post("/logout")
    for _ in range(4):
        sign_in(client, account, "wrong password")
    assert sign_in(client, account, PASSWORD).status_code == 302


def test_one_address_guessing_many_accounts_is_throttled(app, client, account):
    for n in range(20):
        sign_in(client, f"nobody{n}@example.com", "guess", address="10.6.6.6")
    response = sign_in(client, account, PASSWORD, address="10.6.6.6")
    assert response.status_code == 429
    assert "from your network address" in response.get_data(as_text=True)
    assert sign_in(client, account, PASSWORD, address="10.0.0.2").status_code == 302


@pytest.fixture
def made_apps():
    """Apps made inside a test; their connection pools are closed after it."""
    apps = []
    yield apps
    for made in apps:
        with made.app_context():
            db.engine.dispose()


def production_app(database_url, tmp_path, made_apps, **extra):
    made = create_app(
        {
            "ENV": "production",
            "SECRET_KEY": "a-production-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "TRUSTED_HOSTS": ["scheduler.example.com"],
            "JOBS_SQLITE_PATH": str(tmp_path / "jobs.sqlite3"),
            "LOG_JSON": False,
        }
        | extra
    )
    made_apps.append(made)
    return made


def test_production_session_cookie_is_secure_httponly_and_samesite(
    app, account, tmp_path, made_apps
):
    prod = production_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, made_apps)
    client = prod.test_client()
    response = client.post(
        "https://scheduler.example.com/login",
        data={"email": account, "password": PASSWORD, "remember": "y"},
    )
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies
    for cookie in cookies:
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie
    assert prod.config["PREFERRED_URL_SCHEME"] == "https"


def test_a_foreign_host_header_gets_400(app, tmp_path, made_apps):
    prod = production_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, made_apps)
    client = prod.test_client()
    assert client.get("/login", headers={"Host": "scheduler.example.com"}).status_code == 200
    assert client.get("/login", headers={"Host": "evil.example.net"}).status_code == 400
    assert client.get("/healthz", headers={"Host": "evil.example.net"}).status_code == 400


def test_default_configuration_only_answers_local_host_names(app, tmp_path, made_apps):
    local = create_app(
        {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "TESTING": True,
         "JOBS_SQLITE_PATH": str(tmp_path / "jobs.sqlite3")}
    )  # fmt: skip
    made_apps.append(local)
    client = local.test_client()
    assert client.get("/login", headers={"Host": "localhost:5000"}).status_code == 200
    assert client.get("/login", headers={"Host": "attacker.test"}).status_code == 400


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def assert_hardened(response, what):
    response.close()  # static files are streamed from an open file
    for header, value in SECURITY_HEADERS.items():
        assert response.headers.get(header) == value, f"{what}: {header}"
    assert_strict_policy(response.headers["Content-Security-Policy"], what)


def assert_strict_policy(policy: str, what: str = "") -> None:
    """No inline or eval'd script, no plugin, no framing (the calendar pages add only a style
    hash and fonts to the default policy)."""
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'", what
    assert directives["script-src"] == "'self'", what  # no 'unsafe-inline', no 'unsafe-eval'
    assert directives["frame-ancestors"] == "'none'", what
    assert directives["object-src"] == "'none'", what
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, what


def test_csp_forbids_inline_scripts_and_framing():
    assert_strict_policy(CONTENT_SECURITY_POLICY)


def test_every_page_type_sends_the_security_headers(app, world):  # noqa: F811
    """Every GET route as the coordinator (HTML pages, CSV and ICS downloads, redirects),
    anonymous pages, static and vendor files, the feed, health, 404 and 400 answers."""
    coordinator = client_as(app, "coordinator")
    anonymous = app.test_client()
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods:
            url = url_for_rule(rule, world)
            assert_hardened(coordinator.get(url), url)
            assert_hardened(anonymous.get(url), f"anonymous {url}")
    assert_hardened(anonymous.get("/no-such-page"), "404")
    assert_hardened(anonymous.get("/feeds/not-a-token.ics"), "feed 404")
    assert_hardened(coordinator.post("/planning/new", data={}), "form error")


def test_no_template_has_an_inline_script_or_event_handler():
    import re
    from pathlib import Path

    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=", re.IGNORECASE)
    offenders = [
        str(path)
        for path in Path("templates").rglob("*.html")
        if inline.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_a_nul_character_in_any_form_or_query_gets_400(client, account):
    """Found by the fuzz test: PostgreSQL cannot store NUL, so it must never reach a view."""
    assert sign_in(client, "ana\x00@example.com", PASSWORD).status_code == 400
    assert client.get("/login?next=/\x00").status_code == 400


def test_a_csv_file_with_a_nul_byte_is_refused_as_not_utf8_text():
    from scheduler.imports.csv_formats import NotUtf8, decode

    with pytest.raises(NotUtf8) as refused:
        decode(b"employee_id,name\nL1,An\x00a\n")
    assert refused.value.line == 2


HOSTILE_NEXT = [
    "//evil.example",
    "/\\evil.example",
    "/%09/evil.example",  # a tab the browser drops: "//evil.example"
    "/%5Cevil.example",  # "/\evil.example"
    "\\/evil.example",
    "https://evil.example/",
    "http:evil.example",
    "/%0D%0A/evil.example",  # CR LF: used to be a 500 (a newline in the Location header)
    "/%0A/evil.example",
    "%20//evil.example",  # leading space, dropped by the browser
    "%01//evil.example",  # leading C0 control, dropped too
    "/%09%5C/evil.example",
    "javascript:alert(1)",
    "evil.example",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_a_next_address_that_leaves_the_site_sends_to_the_home_page(client, account, target):
    assert client.get(f"/login?next={target}").status_code == 200
    response = client.post(f"/login?next={target}", data={"email": account, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_next_path_on_this_site_is_followed_with_its_query(client, account):
    """The login page Flask-Login sends an anonymous visitor to carries the page they asked for."""
    asked = client.get("/learners?page=2")
    assert asked.headers["Location"] == "/login?next=%2Flearners%3Fpage%3D2"
    response = client.post(asked.headers["Location"], data={"email": account, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/learners?page=2"


@pytest.mark.parametrize(
    ("target", "followed"),
    [
        ("/learners", "/learners"),
        ("%20/learners%20", "/learners"),  # spaces at the ends, which the browser drops
        ("/lear%09ners", "/learners"),  # a tab inside, which the browser drops
        ("/reports%5Ccost", "/reports/cost"),  # a backslash the browser reads as a slash
        ("/a?b=//evil.example", "/a?b=//evil.example"),  # only the path's start matters
    ],
)
def test_a_same_site_next_is_followed_as_the_browser_reads_it(client, account, target, followed):
    response = client.post(f"/login?next={target}", data={"email": account, "password": PASSWORD})
    assert response.headers["Location"] == followed


def test_production_answers_tell_browsers_to_use_https_only(app, tmp_path, made_apps):
    prod = production_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, made_apps)
    client = prod.test_client()
    for path in ("/login", "/no-such-page", "/static/app.css"):
        response = client.get(f"https://scheduler.example.com{path}")
        response.close()
        hsts = response.headers.get("Strict-Transport-Security", "")
        assert hsts.startswith("max-age=31536000"), path


def test_development_answers_do_not_pin_the_host_to_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
