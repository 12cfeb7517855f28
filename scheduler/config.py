"""Configuration: defaults here, then ``instance/config.py``, then ``SCHEDULER_*`` environment variables."""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variables read by the app, with the config key each one sets.
ENVIRONMENT_KEYS = {
    "SCHEDULER_DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "SCHEDULER_SECRET_KEY": "SECRET_KEY",
    "SCHEDULER_REDIS_URL": "REDIS_URL",
    "SCHEDULER_ENV": "ENV",
    "SCHEDULER_TRUSTED_HOSTS": "TRUSTED_HOSTS",
    "SCHEDULER_MAIL_FROM": "MAIL_FROM",
    "SCHEDULER_NODE_MODULES_PATH": "NODE_MODULES_PATH",
    "SCHEDULER_MAIL_ORGANIZER": "MAIL_ORGANIZER",
    "SCHEDULER_SMTP_HOST": "SMTP_HOST",
    "SCHEDULER_SMTP_PORT": "SMTP_PORT",
    "SCHEDULER_SMTP_SECURITY": "SMTP_SECURITY",
    "SCHEDULER_SMTP_USERNAME": "SMTP_USERNAME",
    "SCHEDULER_SMTP_PASSWORD": "SMTP_PASSWORD",
    "SCHEDULER_SMTP_CAFILE": "SMTP_CAFILE",
    "SCHEDULER_IMAP_HOST": "IMAP_HOST",
    "SCHEDULER_IMAP_PORT": "IMAP_PORT",
    "SCHEDULER_IMAP_SECURITY": "IMAP_SECURITY",
    "SCHEDULER_IMAP_USERNAME": "IMAP_USERNAME",
    "SCHEDULER_IMAP_PASSWORD": "IMAP_PASSWORD",
    "SCHEDULER_IMAP_CAFILE": "IMAP_CAFILE",
    "SCHEDULER_IMAP_FOLDER": "IMAP_FOLDER",
    "SCHEDULER_IMAP_PROCESSED_FOLDER": "IMAP_PROCESSED_FOLDER",
    "SCHEDULER_IMAP_UNMATCHED_FOLDER": "IMAP_UNMATCHED_FOLDER",
    "SCHEDULER_IMAP_COUNTER_FOLDER": "IMAP_COUNTER_FOLDER",
    "SCHEDULER_IMAP_POLL_MINUTES": "IMAP_POLL_MINUTES",
    "SCHEDULER_OUTBOX_PATH": "OUTBOX_PATH",
    "SCHEDULER_REMINDER_DAYS": "REMINDER_DAYS",
    "SCHEDULER_INVITE_ALARM_MINUTES": "INVITE_ALARM_MINUTES",
    "SCHEDULER_PUBLIC_URL": "PUBLIC_URL",
    "SCHEDULER_PROXY_COUNT": "PROXY_COUNT",
    "SCHEDULER_LOG_LEVEL": "LOG_LEVEL",
    "SCHEDULER_XAPI_ENDPOINT": "XAPI_ENDPOINT",
    "SCHEDULER_XAPI_USERNAME": "XAPI_USERNAME",
    "SCHEDULER_XAPI_PASSWORD": "XAPI_PASSWORD",
    "SCHEDULER_XAPI_ACCOUNT_HOMEPAGE": "XAPI_ACCOUNT_HOMEPAGE",
    "SCHEDULER_OIDC_ISSUER": "OIDC_ISSUER",
    "SCHEDULER_OIDC_CLIENT_ID": "OIDC_CLIENT_ID",
    "SCHEDULER_OIDC_CLIENT_SECRET": "OIDC_CLIENT_SECRET",
    "SCHEDULER_OIDC_SCOPES": "OIDC_SCOPES",
    "SCHEDULER_OIDC_ROLE_CLAIM": "OIDC_ROLE_CLAIM",
    "SCHEDULER_OIDC_ROLE_MAP": "OIDC_ROLE_MAP",
    "SCHEDULER_OIDC_BUTTON_LABEL": "OIDC_BUTTON_LABEL",
}
# Environment values read as whole numbers.
INTEGER_KEYS = {
    "SMTP_PORT",
    "REMINDER_DAYS",
    "INVITE_ALARM_MINUTES",
    "PROXY_COUNT",
    "IMAP_PORT",
    "IMAP_POLL_MINUTES",
}

# A key used only outside production, so a developer's first run needs no setup.
DEVELOPMENT_SECRET_KEY = "dev-only-not-secret"


def default_config(instance_path: Path) -> dict:
    """The built-in defaults: an embedded SQLite database in the instance folder."""
    return {
        "ENV": "development",
        "SECRET_KEY": None,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance_path / 'scheduler.sqlite3'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": None,
        "PAGE_CACHE": True,  # cached page parts (scheduler/caching.py, docs/deploy.md)
        "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,
        "IMPORT_MAX_BYTES": 10 * 1024 * 1024,
        "TRUSTED_HOSTS": ["127.0.0.1", "localhost"],
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "MAIL_FROM": "scheduling@example.com",
        # Calendar invites and mail (docs/calendar.md): ORGANIZER of every invite; no SMTP host
        # means messages are written as .eml files under OUTBOX_PATH instead of being sent.
        "MAIL_ORGANIZER": None,  # None: MAIL_FROM
        "SMTP_HOST": None,
        "SMTP_PORT": 587,
        "SMTP_SECURITY": "starttls",  # starttls, ssl or none
        "SMTP_USERNAME": None,
        "SMTP_PASSWORD": None,
        "SMTP_CAFILE": None,  # PEM file of the CA(s) to trust for TLS; None: the system's
        "SMTP_TIMEOUT": 30,
        "OUTBOX_PATH": str(instance_path / "outbox"),
        # The mailbox that receives attendees' answers (iMIP REPLY; docs/calendar.md); no host
        # means answers come only through the links in the invitations.
        "IMAP_HOST": None,
        "IMAP_PORT": None,  # None: 993 for ssl, 143 otherwise
        "IMAP_SECURITY": "ssl",  # ssl, starttls or none
        "IMAP_USERNAME": None,
        "IMAP_PASSWORD": None,
        "IMAP_CAFILE": None,  # PEM file of the CA(s) to trust for TLS; None: the system's
        "IMAP_TIMEOUT": 30,
        "IMAP_FOLDER": "INBOX",
        "IMAP_PROCESSED_FOLDER": "Processed",
        "IMAP_UNMATCHED_FOLDER": "Unmatched",
        "IMAP_COUNTER_FOLDER": "Counter proposals",
        "IMAP_POLL_MINUTES": 5,  # 0: only `flask mail read-replies` reads the mailbox
        "MAIL_MAX_ATTEMPTS": 20,  # then the message stays in the outbox, marked failed
        "REMINDER_DAYS": 2,
        # Minutes before a session its calendar event alerts (VALARM); 0: no alarm.
        "INVITE_ALARM_MINUTES": 30,
        # The address learners open follow-up links at (mail is sent outside any request).
        "PUBLIC_URL": "http://127.0.0.1:5000",
        # Production hardening (docs/deploy.md): sign-in lockout, reset links, proxies, logs.
        "LOGIN_ACCOUNT_LIMIT": 5,  # wrong passwords per account within the lockout window
        "LOGIN_ADDRESS_LIMIT": 20,  # failed sign-ins per client address within the window
        "LOGIN_LOCKOUT_MINUTES": 15,
        "PASSWORD_RESET_HOURS": 2,
        # Reset links mailed per account, and reset requests per client address, within
        # PASSWORD_RESET_LIMIT_MINUTES; past either the request is answered alike but not mailed.
        "PASSWORD_RESET_ACCOUNT_LIMIT": 3,
        "PASSWORD_RESET_ADDRESS_LIMIT": 10,
        "PASSWORD_RESET_LIMIT_MINUTES": 60,
        "PROXY_COUNT": 0,  # reverse proxies in front that set X-Forwarded-For/-Proto/-Host
        "LOG_LEVEL": "INFO",
        # Learning records (xAPI) for the company's LRS (docs/deploy.md); no endpoint: none kept.
        "XAPI_ENDPOINT": None,  # e.g. https://lrs.example.com/xAPI
        "XAPI_USERNAME": None,
        "XAPI_PASSWORD": None,
        "XAPI_ACCOUNT_HOMEPAGE": None,  # set: people identified by employee id, not e-mail
        "XAPI_MAX_ATTEMPTS": 20,
        "XAPI_TIMEOUT": 30,
        # Single sign-on (OpenID Connect, docs/deploy.md); no issuer: local passwords only.
        "OIDC_ISSUER": None,
        "OIDC_CLIENT_ID": None,
        "OIDC_CLIENT_SECRET": None,
        "OIDC_SCOPES": "openid email profile",
        "OIDC_ROLE_CLAIM": "groups",
        "OIDC_ROLE_MAP": "",  # "lnd-admins=coordinator,people-managers=manager,trainers=facilitator"
        "OIDC_BUTTON_LABEL": "Sign in with your company account",
    }


def environment_overrides(environ: os._Environ | dict) -> dict:
    """Config values taken from ``SCHEDULER_*`` environment variables."""
    overrides = {}
    for variable, key in ENVIRONMENT_KEYS.items():
        value = environ.get(variable)
        if value:
            if key == "TRUSTED_HOSTS":
                value = value.split(",")
            elif key in INTEGER_KEYS:
                value = int(value)
            overrides[key] = value
    return overrides


def finalise(config: dict) -> None:
    """Apply rules that depend on the merged configuration; raise on unsafe production settings."""
    production = config.get("ENV") == "production"
    if not config.get("SECRET_KEY"):
        if production:
            raise RuntimeError(
                "SCHEDULER_SECRET_KEY must be set in production "
                "(e.g. python -c 'import secrets; print(secrets.token_hex(32))')"
            )
        config["SECRET_KEY"] = DEVELOPMENT_SECRET_KEY
    if production:
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True
        config["SESSION_COOKIE_HTTPONLY"] = True
        config["REMEMBER_COOKIE_HTTPONLY"] = True
        for key in ("SESSION_COOKIE_SAMESITE", "REMEMBER_COOKIE_SAMESITE"):
            config[key] = config.get(key) or "Lax"
        config["PREFERRED_URL_SCHEME"] = "https"  # links in mail (password reset) are https
    url = config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgres://"):  # Heroku-style URLs name a dialect SQLAlchemy dropped
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    config["SQLALCHEMY_DATABASE_URI"] = url
