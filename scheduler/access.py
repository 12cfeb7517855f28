"""Access control: every view says which roles may call it, and checks ownership itself.

``roles_required`` answers anonymous users with a redirect to the login page and users of the
wrong role with 403. Ownership ("this facilitator's own profile") is checked by the view through
``owned_or_404``, which answers 404 so that ids of other people's objects reveal nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import abort
from flask_login import current_user

from scheduler.extensions import db, login_manager
from scheduler.models import Role, User

T = TypeVar("T")


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """Load the user of a session cookie; a stale session version logs the cookie out."""
    user_id, _, version = token.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.is_enabled:
        return None
    return user


def roles_required(*roles: Role) -> Callable:
    """Let only logged-in users with one of ``roles`` call the view."""

    def decorator(view: Callable) -> Callable:
        view.allowed_roles = frozenset(roles)  # read by the access-control test

        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


coordinator_required = roles_required(Role.COORDINATOR)


def get_or_404(model: type[T], object_id: int) -> T:
    """The object with this id, or 404."""
    found = db.session.get(model, object_id)
    if found is None:
        abort(404)
    return found


def owned_or_404(obj: T | None, owner_user_id: int | None) -> T:
    """``obj`` if the current user owns it (or is a coordinator); 404 otherwise."""
    if obj is None:
        abort(404)
    if current_user.role == Role.COORDINATOR or owner_user_id == current_user.id:
        return obj
    abort(404)
