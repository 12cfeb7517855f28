"""Single sign-on through the company's identity provider (OpenID Connect, with Authlib).

Configured by ``SCHEDULER_OIDC_*`` environment variables (docs/deploy.md); without an issuer
the app signs in with local passwords only. The flow is the authorization code flow with PKCE
(S256): Authlib reads the provider's discovery document, keeps ``state``, ``nonce`` and the
code verifier in the signed session, and on return checks the ID token's signature (the
provider's JWKS), issuer, audience, expiry and nonce. A state is used once: a replayed return
finds none and is refused. Which account a sign-in opens is decided in ``sso_accounts``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from joserfc.errors import JoseError
from requests import RequestException

from scheduler.models import Role

PROVIDER = "company"


class SignInRefused(Exception):
    """A single sign-on that must not open a session; the message is shown to the person."""


@dataclass(frozen=True)
class Identity:
    """What the identity provider vouched for, from a checked ID token."""

    email: str
    email_verified: bool
    name: str
    roles: frozenset[Role]
    id_token: str


def init_app(app: Flask) -> None:
    """Register the provider when an issuer is configured."""
    issuer = app.config.get("OIDC_ISSUER")
    if not issuer:
        return
    oauth = OAuth(app)
    oauth.register(
        PROVIDER,
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config.get("OIDC_CLIENT_SECRET"),
        server_metadata_url=issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": app.config["OIDC_SCOPES"], "code_challenge_method": "S256"},
    )
    app.extensions["sso"] = oauth


def enabled() -> bool:
    return "sso" in current_app.extensions


def client():
    return current_app.extensions["sso"].create_client(PROVIDER)


def begin(redirect_uri: str):
    """The redirect to the provider's sign-in page (state, nonce and PKCE kept in the session)."""
    try:
        return client().authorize_redirect(redirect_uri)
    except (AuthlibBaseError, RequestException, ValueError) as error:
        current_app.logger.warning("single sign-on could not start: %s", error)
        raise SignInRefused("The company sign-in cannot be reached right now.") from error


def finish() -> Identity:
    """Check the provider's answer and return who signed in; raise ``SignInRefused`` if the
    answer is an error, replayed, tampered with, for another client or expired."""
    try:
        token = client().authorize_access_token()
    except (AuthlibBaseError, JoseError, RequestException, ValueError, KeyError) as error:
        current_app.logger.warning("single sign-on refused: %s", error)
        raise SignInRefused(_reason(error)) from error
    claims = token.get("userinfo") or {}
    email = str(claims.get("email") or "").strip().lower()
    if not email:
        raise SignInRefused("The company sign-in did not say which e-mail address you use.")
    return Identity(
        email=email,
        email_verified=claims.get("email_verified") is True,
        name=str(claims.get("name") or email),
        roles=roles_from_claims(claims),
        id_token=token.get("id_token", ""),
    )


def _reason(error: Exception) -> str:
    text = str(error).lower()
    if "state" in text:
        return "This sign-in link was already used or has expired. Start again."
    if "expired" in text or "exp" in getattr(error, "claim", ""):
        return "The company sign-in answered with an expired token. Start again."
    # A token for another client fails the audience check, which Authlib may report as a
    # missing "azp" (authorised party) when our client id is not among the audiences.
    if "aud" in text or "azp" in text:
        return "The company sign-in answered with a token meant for another application."
    if "access_denied" in text:
        return "The company sign-in was cancelled."
    return "The company sign-in answered with a token this app cannot trust."


def role_map() -> dict[str, Role]:
    """``OIDC_ROLE_MAP`` ("lnd-admins=coordinator,trainers=facilitator") as group → role."""
    mapping = {}
    for pair in (current_app.config.get("OIDC_ROLE_MAP") or "").split(","):
        group, _, role = pair.partition("=")
        if group.strip() and role.strip():
            mapping[group.strip()] = Role(role.strip().lower())
    return mapping


def roles_from_claims(claims: dict) -> frozenset[Role]:
    """The roles the configured claim (``groups`` by default) grants through the map."""
    values = claims.get(current_app.config["OIDC_ROLE_CLAIM"]) or []
    if isinstance(values, str):
        values = [values]
    mapping = role_map()
    return frozenset(mapping[value] for value in values if value in mapping)


def logout_url(id_token: str, after: str) -> str | None:
    """The provider's end-session address (RP-initiated logout), if it offers one."""
    metadata = client().load_server_metadata()
    endpoint = metadata.get("end_session_endpoint")
    if not endpoint:
        return None
    query = {"post_logout_redirect_uri": after, "client_id": current_app.config["OIDC_CLIENT_ID"]}
    if id_token:
        query["id_token_hint"] = id_token
    return f"{endpoint}?{urlencode(query)}"
