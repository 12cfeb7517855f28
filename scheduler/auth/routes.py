"""Sign in (throttled, or through the company's identity provider), sign out, change password,
and reset a forgotten one by e-mail."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from scheduler.auth import operations, reset, sso, tasks, throttle
from scheduler.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ResetPasswordForm,
)
from scheduler.auth.sso_accounts import account_for
from scheduler.auth.util import find_user_by_email, password_matches, safe_next_url
from scheduler.extensions import db
from scheduler.jobs import queue

bp = Blueprint("auth", __name__)
assert tasks.send_reset_link  # importing the tasks registers them on the job queue


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        address = request.remote_addr or "unknown"
        refused = throttle.refusal(form.email.data, address)
        if refused:
            form.form_errors.append(refused)
            return render_template("auth/login.html", form=form, sso_enabled=sso.enabled()), 429
        user = find_user_by_email(form.email.data)
        if password_matches(user, form.password.data):
            login_user(user, remember=form.remember.data)
            throttle.clear_failures(user.email)
            db.session.commit()
            return redirect(safe_next_url(request.args.get("next")) or url_for("home.index"))
        throttle.record_failure(form.email.data, address)
        db.session.commit()
        form.password.errors.append("Wrong e-mail or password.")
    return render_template("auth/login.html", form=form, sso_enabled=sso.enabled())


@bp.route("/login/sso")
def sso_login():
    """Start signing in through the company's identity provider."""
    if not sso.enabled():
        abort(404)
    session["sso_next"] = safe_next_url(request.args.get("next")) or ""
    try:
        return sso.begin(url_for("auth.sso_callback", _external=True))
    except sso.SignInRefused as refusal:
        return render_template("auth/sso_refused.html", reason=str(refusal)), 502


@bp.route("/login/sso/callback")
def sso_callback():
    """The provider sends the person back here with a code: check it all, then sign in."""
    if not sso.enabled():
        abort(404)
    try:
        identity = sso.finish()
        user = account_for(identity)
    except sso.SignInRefused as refusal:
        db.session.rollback()
        return render_template("auth/sso_refused.html", reason=str(refusal)), 401
    login_user(user)
    session["sso_id_token"] = identity.id_token  # the hint for the provider's sign-out
    db.session.commit()
    return redirect(session.pop("sso_next", "") or url_for("home.index"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_id = reset.record_request(form.email.data, request.remote_addr or "unknown")
        db.session.commit()  # before the job reads it (at once, in immediate mode)
        try:
            queue.enqueue(reset.SEND_LINK_TASK, request_id, request.url_root)
        except Exception:  # noqa: BLE001 - e.g. Redis unreachable; said alike to everyone
            current_app.logger.exception("could not queue password reset request %s", request_id)
            flash("Mail cannot be sent right now: try again in a few minutes.", "error")
            return redirect(url_for("auth.forgot_password"))
        # The same work and the same answer whether or not the address has an account, or a
        # limit is reached: a background job looks the account up and mails the link.
        flash(
            "If an account uses this address, a link to reset its password is on its way. "
            "It works once, within a few hours.",
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    if reset.valid_token(token) is None:
        db.session.rollback()
        flash(
            "This reset link is not valid any more (used or expired): ask for a new one.", "error"
        )
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user = reset.reset_password(token, form.new_password.data)
        if user is None:
            db.session.rollback()
            flash("This reset link is not valid any more: ask for a new one.", "error")
            return redirect(url_for("auth.forgot_password"))
        db.session.commit()
        logout_user()
        flash("Password changed; every session was signed out. Sign in with it now.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    id_token = session.pop("sso_id_token", None)
    operations.end_all_sessions(current_user)
    db.session.commit()
    logout_user()
    flash("You are signed out.", "info")
    if id_token is not None and sso.enabled():
        # Signed in through the provider: end its session too, where it offers that.
        provider_logout = sso.logout_url(id_token, url_for("auth.login", _external=True))
        if provider_logout:
            return redirect(provider_logout)
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append("This is not your current password.")
        else:
            operations.change_password(current_user, form.new_password.data)
            db.session.commit()
            # This browser stays signed in with the new version (the user, not the proxy).
            login_user(current_user._get_current_object())
            flash("Password changed; other devices are signed out.", "success")
            return redirect(url_for("home.index"))
    return render_template("auth/change_password.html", form=form)
