"""The app factory, configuration, sessions and the SQLite settings."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from scheduler import create_app
from scheduler.extensions import db
from scheduler.models import Role
from tests.factories import PASSWORD, create_user


def test_missing_secret_key_in_production_is_a_startup_error(tmp_path, monkeypatch):
    monkeypatch.delenv("SCHEDULER_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SCHEDULER_SECRET_KEY"):
        create_app({"ENV": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_sets_secure_cookie_flags():
    app = create_app(
        {"ENV": "production", "SECRET_KEY": "x" * 32, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_environment_overrides_instance_config(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text(
        "SECRET_KEY = 'from-file'\nMAIL_FROM = 'file@example.com'\n"
    )
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SCHEDULER_SECRET_KEY", "from-env")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["MAIL_FROM"] == "file@example.com"


def test_sqlite_uses_wal_and_foreign_keys(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite settings only")
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_security_headers_are_sent(client):
    response = client.get("/login")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_foreign_host_header_is_refused(database_url, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "t"})
    response = app.test_client().get("/login", headers={"Host": "evil.example"})
    assert response.status_code == 400


def test_login_and_logout_invalidates_old_cookie(app, client, auth):
    with app.app_context():
        create_user(Role.COORDINATOR, email="coord@example.com")
        db.session.commit()
    auth.login("coord@example.com")
    stolen_cookie = client.get_cookie("session").value
    assert client.get("/").status_code == 200
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", stolen_cookie)
    response = thief.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_wrong_password_redisplays_the_form_with_an_error(app, client, auth):
    with app.app_context():
        create_user(Role.COORDINATOR, email="coord@example.com")
        db.session.commit()
    response = auth.login("coord@example.com", "wrong")
    assert response.status_code == 200
    assert b"Wrong e-mail or password." in response.data


def test_changing_password_signs_out_other_devices(app, client, auth):
    with app.app_context():
        create_user(Role.FACILITATOR, email="fac@example.com")
        db.session.commit()
    other_device = app.test_client()
    other_device.post("/login", data={"email": "fac@example.com", "password": PASSWORD})
    auth.login("fac@example.com")
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a new long password",
            "confirm": "a new long password",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other_device.get("/").status_code == 302


def test_login_does_not_redirect_off_site(app, client):
    with app.app_context():
        create_user(Role.COORDINATOR, email="coord@example.com")
        db.session.commit()
    response = client.post(
        "/login?next=//evil.example/x", data={"email": "coord@example.com", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_forms_require_csrf_token(csrf_app):
    client = csrf_app.test_client()
    response = client.post("/login", data={"email": "a@example.com", "password": "x"})
    assert response.status_code == 400


def test_create_user_command(runner, app):
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "First@Example.com",
            "--name",
            "First",
            "--password",
            "long enough password",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.execute(text('SELECT email, role FROM "user"')).one() == (
            "first@example.com",
            "coordinator",
        )


@pytest.mark.parametrize("option", ["--name", "--email"])
def test_create_user_command_refuses_a_line_break(runner, app, option):
    values = {"--email": "first@example.com", "--name": "First"}
    values[option] += "\r\nSecond"
    arguments = [word for pair in values.items() for word in pair]
    result = runner.invoke(args=["create-user", *arguments, "--password", "long enough password"])
    assert result.exit_code == 2 and "must be on one line" in result.output, result.output
    with app.app_context():
        assert db.session.execute(text('SELECT count(*) FROM "user"')).scalar() == 0


def test_form_wide_errors_are_shown_above_the_form(app):
    from flask import render_template_string
    from flask_wtf import FlaskForm

    with app.test_request_context("/", method="POST"):
        form = FlaskForm()
        form.validate()
        form.form_errors.append("Someone else just saved the same thing.")
        html = render_template_string(
            '{% from "_forms.html" import form_errors %}{{ form_errors(form) }}', form=form
        )
    assert '<p class="error" role="alert">Someone else just saved the same thing.</p>' in html
