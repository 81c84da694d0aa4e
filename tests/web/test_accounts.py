"""Registering, signing in and out, sessions that really end, and API tokens."""
from sqlalchemy import select

from tests.conftest import csrf_from, post_form, sign_in
from workspace.accounts.models import OutboxMessage, User
from workspace.extensions import db


def register(client, email, name="Ana Lima", password="a-long-password"):
    page = client.get("/register").get_data(as_text=True)
    return client.post("/register", data={"csrf_token": csrf_from(page), "email": email,
                                          "display_name": name, "password": password})


def test_new_person_registers_then_signs_in(client, app):
    response = register(client, "ana@example.org", name="Ana Lima")
    assert response.status_code == 302
    response = sign_in(client, "ana@example.org", "a-long-password")
    assert response.status_code == 302
    assert "Welcome, Ana Lima" in client.get("/").get_data(as_text=True)


def test_short_password_is_refused_beside_the_field(client, app):
    response = register(client, "short@example.org", password="too-short")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="password-error"' in html and "at least 10 characters" in html
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "short@example.org")) is None


def test_registering_a_taken_email_answers_like_success_and_tells_the_owner(client, app):
    response = register(client, "sam@socialwork.test")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    with app.app_context():
        mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == "sam@socialwork.test")).all()
    assert any("tried to register" in m.subject for m in mail)


def test_unknown_email_and_wrong_password_get_the_same_answer(client):
    unknown = sign_in(client, "nobody@example.org", "whatever-password")
    wrong = sign_in(client, "sam@socialwork.test", "wrong-password!")
    assert unknown.status_code == wrong.status_code == 422
    message = "That email and password do not match an active account."
    assert message in unknown.get_data(as_text=True) and message in wrong.get_data(as_text=True)


def test_cookie_captured_before_sign_out_is_refused_after_it(app, sign_in_as):
    browser = sign_in_as("sam@socialwork.test")
    stolen = browser.get_cookie("session").value
    assert browser.get("/profile").status_code == 200
    post_form(browser, "/logout")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/profile")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_remember_me_cookie_dies_with_the_session(app, sign_in_as):
    browser = sign_in_as("omar@psychiatry.test", remember=True)
    remember = browser.get_cookie("remember_token").value
    post_form(browser, "/logout")
    thief = app.test_client()
    thief.set_cookie("remember_token", remember)
    assert thief.get("/profile").status_code == 302


def test_deactivated_account_loses_its_sessions(app, sign_in_as):
    from workspace.accounts.services import deactivate_user, find_user_by_email
    browser = sign_in_as("jo@policing.test")
    with app.app_context():
        deactivate_user(find_user_by_email("jo@policing.test"), actor=None)
        db.session.commit()
    assert browser.get("/profile").status_code == 302
    assert sign_in(app.test_client(), "jo@policing.test").status_code == 422


def test_form_without_csrf_token_changes_nothing(sign_in_as, app):
    browser = sign_in_as("sam@socialwork.test")
    response = browser.post("/profile", data={"display_name": "Hijacked"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(User.display_name).where(User.email == "sam@socialwork.test")) == "Sam Okafor"


def test_api_token_works_until_revoked(sign_in_as, app):
    browser = sign_in_as("priya@psychiatry.test")
    html = post_form(browser, "/profile/tokens", {"name": "my script"}, page="/profile").get_data(as_text=True)
    import re
    secret = re.search(r'id="new-token">([^<]+)<', html).group(1)
    api = app.test_client()
    me = api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200 and me.json["email"] == "priya@psychiatry.test"
    from workspace.accounts.models import ApiToken
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.name == "my script"))
    post_form(browser, f"/profile/tokens/{token_id}/revoke", page="/profile")
    refused = api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status_code == 401
    assert refused.mimetype == "application/problem+json"
