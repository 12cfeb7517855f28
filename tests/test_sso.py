"""Single sign-on against a real OpenID Connect provider on loopback (oidc-provider-mock).

The provider is a real server (Authlib's authorization server, signed ID tokens, JWKS,
discovery); the app talks to it over HTTP as to a company's identity provider. A middleware in
front of its token endpoint plays the attacker: it alters the ID token, or swaps in one issued
to another application.
"""

from __future__ import annotations

import base64
import json
import threading
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import werkzeug.serving
from sqlalchemy import select

from scheduler import create_app
from scheduler.extensions import db
from scheduler.models import Learner, Role, User
from tests.conftest import _empty_all_tables, _test_config
from tests.factories import PASSWORD, create_facilitator, create_user

oidc_provider_mock = pytest.importorskip("oidc_provider_mock")

ROLE_MAP = "lnd-team=coordinator,people-managers=manager,trainers=facilitator"


class TokenEndpointAttacker:
    """WSGI middleware that rewrites the provider's token answers when told to."""

    def __init__(self, app):
        self.app = app
        self.rewrite = None  # a function of the token answer (dict) -> dict, or None

    def __call__(self, environ, start_response):
        if self.rewrite is None or environ.get("PATH_INFO") != "/oauth2/token":
            return self.app(environ, start_response)
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers

        body = b"".join(self.app(environ, capture))
        answer = self.rewrite(json.loads(body))
        body = json.dumps(answer).encode()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], [*headers, ("Content-Length", str(len(body)))])
        return [body]


@pytest.fixture(scope="module")
def providers():
    """Two providers: a normal one (with the attacker in front) and one whose tokens are
    already expired when issued."""
    normal = TokenEndpointAttacker(oidc_provider_mock.app())
    expired = oidc_provider_mock.app(access_token_max_age=timedelta(hours=-1))
    servers = [
        werkzeug.serving.make_server("localhost", 0, app, threaded=True)
        for app in (normal, expired)
    ]
    threads = [threading.Thread(target=server.serve_forever, daemon=True) for server in servers]
    for thread in threads:
        thread.start()
    urls = [f"http://localhost:{server.server_port}" for server in servers]
    yield {"normal": urls[0], "expired": urls[1], "attacker": normal}
    for server in servers:
        server.shutdown()


def sso_app(database_url, tmp_path, issuer: str):
    config = _test_config(database_url, tmp_path) | {
        "OIDC_ISSUER": issuer,
        "OIDC_CLIENT_ID": "cohort-scheduler",
        "OIDC_CLIENT_SECRET": "not-checked-by-the-mock",
        "OIDC_ROLE_MAP": ROLE_MAP,
    }
    app = create_app(config)
    with app.app_context():
        _empty_all_tables()
    return app


@pytest.fixture
def app(database_url, tmp_path, providers):
    app = sso_app(database_url, tmp_path, providers["normal"])
    yield app
    providers["attacker"].rewrite = None
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def person(issuer: str, email: str, groups=(), verified=True, name="Dana Scully"):
    """Tell the provider who ``email`` is (claims put in the ID token)."""
    claims = {"email": email, "email_verified": verified, "name": name, "groups": list(groups)}
    answer = requests.put(f"{issuer}/users/{email}", json=claims, timeout=10)
    assert answer.status_code == 204


def sign_in(client, email: str, start: str = "/login/sso"):
    """Go through the provider's sign-in as ``email``; return the app's answer to the return."""
    to_provider = client.get(start)
    assert to_provider.status_code == 302, to_provider.get_data(as_text=True)
    back = requests.post(
        to_provider.location, data={"sub": email}, allow_redirects=False, timeout=10
    )
    assert back.status_code == 302, back.text
    parts = urlsplit(back.headers["Location"])
    return client.get(f"{parts.path}?{parts.query}")


def signed_in_as(client) -> str | None:
    home = client.get("/")
    return None if home.status_code == 302 and "/login" in home.location else "someone"


def test_the_provider_sign_in_uses_pkce_nonce_and_state(client, providers):
    location = client.get("/login/sso").location
    query = parse_qs(urlsplit(location).query)
    assert location.startswith(providers["normal"])
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["nonce"][0] and query["state"][0]
    assert query["client_id"] == ["cohort-scheduler"] and query["response_type"] == ["code"]


def test_a_coordinator_signs_in_with_the_role_of_their_group(app, client, providers):
    with app.app_context():
        create_user(Role.MANAGER, email="dana@example.com")
        db.session.commit()
    person(providers["normal"], "dana@example.com", groups=["lnd-team", "staff"])
    answer = sign_in(client, "dana@example.com")
    assert answer.status_code == 302 and answer.location == "/"
    assert signed_in_as(client)
    with app.app_context():
        dana = db.session.scalar(select(User).where(User.email == "dana@example.com"))
        assert dana.role == Role.COORDINATOR  # the highest mapped group wins


def test_a_manager_on_record_as_a_learner_gets_an_account_just_in_time(app, client, providers):
    with app.app_context():
        db.session.add(
            Learner(key="E7", name="Mo", email="mo@example.com", timezone="Europe/Berlin")
        )
        db.session.commit()
    person(providers["normal"], "mo@example.com", groups=["people-managers"], name="Mo Haddad")
    assert sign_in(client, "mo@example.com").status_code == 302
    with app.app_context():
        mo = db.session.scalar(select(User).where(User.email == "mo@example.com"))
        assert (mo.role, mo.name, mo.timezone) == (Role.MANAGER, "Mo Haddad", "Europe/Berlin")


def test_a_facilitator_keeps_their_role_and_a_stranger_gets_no_account(app, client, providers):
    with app.app_context():
        create_facilitator(user=create_user(Role.FACILITATOR, email="fran@example.com"))
        db.session.commit()
    person(providers["normal"], "fran@example.com", groups=["trainers"])
    assert sign_in(client, "fran@example.com").location == "/"
    client.post("/logout")
    person(providers["normal"], "fran@example.com", groups=["people-managers"])
    refused = sign_in(client, "fran@example.com")
    assert refused.status_code == 401 and "knows you as a facilitator" in refused.get_data(
        as_text=True
    )

    person(providers["normal"], "stranger@example.com", groups=["people-managers"])
    refused = sign_in(client, "stranger@example.com")
    assert refused.status_code == 401 and "no account" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "stranger@example.com")) is None


@pytest.mark.parametrize(
    ("claims", "words"),
    [
        ({"verified": False, "groups": ["lnd-team"]}, "has not verified your e-mail"),
        ({"groups": ["staff"]}, "no role in this app"),
    ],
)
def test_an_unverified_address_or_a_person_without_a_role_is_refused(
    app, client, providers, claims, words
):
    with app.app_context():
        create_user(Role.COORDINATOR, email="eve@example.com")
        db.session.commit()
    person(providers["normal"], "eve@example.com", **claims)
    refused = sign_in(client, "eve@example.com")
    assert refused.status_code == 401 and words in refused.get_data(as_text=True)
    assert signed_in_as(client) is None


def test_a_disabled_account_stays_closed(app, client, providers):
    with app.app_context():
        create_user(Role.COORDINATOR, email="gone@example.com").is_enabled = False
        db.session.commit()
    person(providers["normal"], "gone@example.com", groups=["lnd-team"])
    refused = sign_in(client, "gone@example.com")
    assert refused.status_code == 401 and "disabled" in refused.get_data(as_text=True)
    assert signed_in_as(client) is None


def _payload(token: str) -> dict:
    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def test_a_tampered_id_token_is_refused(app, client, providers):
    with app.app_context():
        create_user(Role.FACILITATOR, email="mallory@example.com")
        create_user(Role.COORDINATOR, email="boss@example.com")
        db.session.commit()
    person(providers["normal"], "mallory@example.com", groups=["lnd-team"])

    def forge(answer):  # claim to be the coordinator; the signature no longer matches
        header, body, signature = answer["id_token"].split(".")
        claims = _payload(answer["id_token"]) | {"email": "boss@example.com"}
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        return answer | {"id_token": f"{header}.{forged}.{signature}"}

    providers["attacker"].rewrite = forge
    refused = sign_in(client, "mallory@example.com")
    assert refused.status_code == 401 and "cannot trust" in refused.get_data(as_text=True)
    assert signed_in_as(client) is None


def test_an_id_token_issued_to_another_application_is_refused(app, client, providers):
    with app.app_context():
        create_user(Role.COORDINATOR, email="dana@example.com")
        db.session.commit()
    person(providers["normal"], "dana@example.com", groups=["lnd-team"])
    to_provider = client.get("/login/sso").location
    nonce = parse_qs(urlsplit(to_provider).query)["nonce"][0]
    # A token the same provider issued, properly signed, to another app (same nonce even).
    other = requests.post(
        f"{providers['normal']}/oauth2/authorize",
        params={
            "client_id": "another-app",
            "redirect_uri": "http://other.example/back",
            "response_type": "code",
            "scope": "openid email",
            "nonce": nonce,
        },
        data={"sub": "dana@example.com"},
        allow_redirects=False,
        timeout=10,
    )
    code = parse_qs(urlsplit(other.headers["Location"]).query)["code"][0]
    theirs = requests.post(
        f"{providers['normal']}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://other.example/back",
            "client_id": "another-app",
            "client_secret": "x",
        },
        timeout=10,
    ).json()
    assert _payload(theirs["id_token"])["aud"] in ("another-app", ["another-app"])
    providers["attacker"].rewrite = lambda answer: answer | {"id_token": theirs["id_token"]}
    back = requests.post(
        to_provider, data={"sub": "dana@example.com"}, allow_redirects=False, timeout=10
    )
    parts = urlsplit(back.headers["Location"])
    refused = client.get(f"{parts.path}?{parts.query}")
    assert refused.status_code == 401 and "another application" in refused.get_data(as_text=True)
    assert signed_in_as(client) is None


def test_an_expired_id_token_is_refused(database_url, tmp_path, providers):
    app = sso_app(database_url, tmp_path, providers["expired"])
    try:
        with app.app_context():
            create_user(Role.COORDINATOR, email="dana@example.com")
            db.session.commit()
        person(providers["expired"], "dana@example.com", groups=["lnd-team"])
        client = app.test_client()
        refused = sign_in(client, "dana@example.com")
        assert refused.status_code == 401 and "expired" in refused.get_data(as_text=True)
        assert signed_in_as(client) is None
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_replayed_return_from_the_provider_is_refused(app, client, providers):
    with app.app_context():
        create_user(Role.COORDINATOR, email="dana@example.com")
        db.session.commit()
    person(providers["normal"], "dana@example.com", groups=["lnd-team"])
    to_provider = client.get("/login/sso").location
    back = requests.post(
        to_provider, data={"sub": "dana@example.com"}, allow_redirects=False, timeout=10
    )
    parts = urlsplit(back.headers["Location"])
    assert client.get(f"{parts.path}?{parts.query}").status_code == 302
    client.post("/logout")
    replayed = client.get(f"{parts.path}?{parts.query}")
    assert replayed.status_code == 401 and "already used" in replayed.get_data(as_text=True)
    assert signed_in_as(client) is None


def test_signing_out_ends_the_providers_session_too(app, client, providers):
    with app.app_context():
        create_user(Role.COORDINATOR, email="dana@example.com")
        db.session.commit()
    person(providers["normal"], "dana@example.com", groups=["lnd-team"])
    sign_in(client, "dana@example.com")
    out = client.post("/logout")
    assert out.location.startswith(f"{providers['normal']}/oauth2/end_session?")
    query = parse_qs(urlsplit(out.location).query)
    assert query["post_logout_redirect_uri"] == ["http://localhost/login"]
    assert _payload(query["id_token_hint"][0])["email"] == "dana@example.com"
    assert signed_in_as(client) is None


def test_a_local_password_still_works_beside_single_sign_on(app, client, auth):
    """The break-glass coordinator account signs in with its password."""
    with app.app_context():
        create_user(Role.COORDINATOR, email="breakglass@example.com")
        db.session.commit()
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with your company account" in page
    auth.login("breakglass@example.com", PASSWORD)
    assert signed_in_as(client)


def test_without_an_issuer_there_is_no_single_sign_on(database_url, tmp_path):
    app = create_app(_test_config(database_url, tmp_path))
    client = app.test_client()
    assert client.get("/login/sso").status_code == 404
    assert "company account" not in client.get("/login").get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()
