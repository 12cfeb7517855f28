"""Which account a single sign-on opens, and the accounts made just in time.

- The e-mail must be one the provider says it verified: an unverified address could be anyone's.
- An account disabled in the app stays closed, whatever the provider says.
- Roles come from the provider's groups through ``OIDC_ROLE_MAP`` when a map is configured:
  the highest mapped role wins (coordinator, then manager, then facilitator), and a person
  with no mapped group is refused. A facilitator account stays a facilitator (its profile,
  availability and sessions hang on it), and an account becomes a facilitator only through a
  facilitator profile. Without a map, the account's own role applies.
- A person without an account gets one just in time only as a manager who is on record as a
  learner (HR imports list managers among employees) or as a facilitator already imported
  (whose account exists); coordinators are made by a coordinator, never by a provider.
"""

from __future__ import annotations

import secrets

from sqlalchemy import func, select

from scheduler.auth.operations import create_user
from scheduler.auth.sso import Identity, SignInRefused, role_map
from scheduler.auth.util import find_user_by_email
from scheduler.extensions import db
from scheduler.models import Facilitator, Learner, Role, User

RANK = (Role.COORDINATOR, Role.MANAGER, Role.FACILITATOR)


def account_for(identity: Identity) -> User:
    """The enabled account ``identity`` signs in to (made or updated); not committed."""
    if not identity.email_verified:
        raise SignInRefused(
            "The company sign-in has not verified your e-mail address, so it cannot be "
            "matched to an account. Ask your IT team to verify it."
        )
    user = find_user_by_email(identity.email)
    if user is not None and not user.is_enabled:
        raise SignInRefused("Your account is disabled in this app. Ask a coordinator.")
    role = _granted_role(identity)
    if user is None:
        return _just_in_time(identity, role)
    _apply_role(user, role)
    return user


def _granted_role(identity: Identity) -> Role | None:
    if not role_map():
        return None  # no map configured: the account's own role applies
    granted = [role for role in RANK if role in identity.roles]
    if not granted:
        raise SignInRefused("Your company account has no role in this app. Ask a coordinator.")
    return granted[0]


def _apply_role(user: User, role: Role | None) -> None:
    if role is None or role == user.role:
        return
    if _is_facilitator(user) or role == Role.FACILITATOR:
        raise SignInRefused(
            f"Your company account is a {role.value} here, but this app knows you as a "
            f"{user.role.value}. Ask a coordinator to change it."
        )
    user.role = role


def _is_facilitator(user: User) -> bool:
    return (
        db.session.scalar(select(Facilitator.id).where(Facilitator.user_id == user.id)) is not None
    )


def _just_in_time(identity: Identity, role: Role | None) -> User:
    learner = db.session.scalar(select(Learner).where(func.lower(Learner.email) == identity.email))
    if role != Role.MANAGER or learner is None:
        raise SignInRefused(
            "This app has no account for your e-mail address. Ask a coordinator to add you."
        )
    # No password anyone knows: the person signs in through the provider (or resets one).
    return create_user(
        identity.email, identity.name, Role.MANAGER, secrets.token_urlsafe(32), learner.timezone
    )
