"""Sessions a person controls (issue 12): see where they are signed in, end one or all, change the password."""
import re

from sqlalchemy import select

from tests.conftest import csrf_from, post_form, sign_in
from workspace.accounts import services as accounts
from workspace.accounts.models import LoginSession
from workspace.accounts.sessions import describe_device
from workspace.extensions import db, socketio

SAM, PRIYA = "sam@socialwork.test", "priya@psychiatry.test"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")


def signed_in_with(app, email, user_agent):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = user_agent
    assert sign_in(client, email).status_code == 302
    return client


def live_session_ids(app, email) -> list[int]:
    with app.app_context():
        user = accounts.find_user_by_email(email)
        return list(db.session.scalars(select(LoginSession.id).where(
            LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None)).order_by(LoginSession.id)))


def is_signed_in(client) -> bool:
    return client.get("/profile").status_code == 200


def test_devices_are_named_in_words():
    assert describe_device(FIREFOX) == "Firefox on Linux"
    assert describe_device(SAFARI) == "Safari on iPhone"
    assert describe_device("") == "An unknown browser"


def test_profile_lists_each_signed_in_browser_with_last_seen_and_address(app):
    laptop = signed_in_with(app, SAM, FIREFOX)
    signed_in_with(app, SAM, SAFARI)
    html = laptop.get("/profile").get_data(as_text=True)
    sessions = html[html.index('id="sessions"'):html.index("</table>", html.index('id="sessions"'))]
    assert "Firefox on Linux" in sessions and "(this session)" in sessions
    assert "Safari on iPhone" in sessions
    assert "127.0.0.1" in sessions  # where from
    assert "UTC</time>" in sessions  # last seen


def test_ending_another_of_my_sessions_signs_that_browser_out_only(app):
    laptop = signed_in_with(app, SAM, FIREFOX)
    phone = signed_in_with(app, SAM, SAFARI)
    phone_session = live_session_ids(app, SAM)[-1]
    response = post_form(laptop, f"/profile/sessions/{phone_session}/end")
    assert response.status_code == 302
    assert not is_signed_in(phone)
    assert is_signed_in(laptop)
    assert phone_session not in live_session_ids(app, SAM)


def test_ending_this_session_signs_me_out(app):
    laptop = signed_in_with(app, SAM, FIREFOX)
    mine = live_session_ids(app, SAM)[-1]
    response = post_form(laptop, f"/profile/sessions/{mine}/end")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert not is_signed_in(laptop)


def test_nobody_can_end_someone_elses_session(app):
    priya = signed_in_with(app, PRIYA, FIREFOX)
    sam = signed_in_with(app, SAM, FIREFOX)
    priyas_session = live_session_ids(app, PRIYA)[-1]
    response = post_form(sam, f"/profile/sessions/{priyas_session}/end")
    assert response.status_code == 404
    assert is_signed_in(priya)
    assert priyas_session in live_session_ids(app, PRIYA)
    assert post_form(sam, "/profile/sessions/999999/end").status_code == 404


def test_signing_out_every_other_session_keeps_this_one(app):
    laptop = signed_in_with(app, SAM, FIREFOX)
    others = [signed_in_with(app, SAM, SAFARI) for _ in range(2)]
    response = post_form(laptop, "/profile/sessions/end-others")
    assert response.status_code == 302
    assert is_signed_in(laptop)
    assert not any(is_signed_in(other) for other in others)
    assert len(live_session_ids(app, SAM)) == 1


def test_ending_a_session_closes_its_open_socket(app):
    laptop = signed_in_with(app, SAM, FIREFOX)
    phone = signed_in_with(app, SAM, SAFARI)
    phone_session = live_session_ids(app, SAM)[-1]
    phone_socket = socketio.test_client(app, flask_test_client=phone)
    laptop_socket = socketio.test_client(app, flask_test_client=laptop)
    assert phone_socket.is_connected() and laptop_socket.is_connected()
    post_form(laptop, f"/profile/sessions/{phone_session}/end")
    assert not phone_socket.is_connected()
    assert laptop_socket.is_connected()
    laptop_socket.disconnect()


def test_password_change_needs_the_current_password_and_changes_nothing_otherwise(app):
    laptop = signed_in_with(app, SAM, FIREFOX)
    phone = signed_in_with(app, SAM, SAFARI)
    response = post_form(laptop, "/profile/password", {"current_password": "wrong password",
                                                       "new_password": "a brand new password"},
                         page="/profile/password")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="current_password-error"[^>]*>That is not your current password', html)
    assert is_signed_in(phone)
    assert sign_in(app.test_client(), SAM).status_code == 302  # the old password still works


def test_password_change_signs_out_the_other_sessions(app):
    laptop = signed_in_with(app, SAM, FIREFOX)
    phone = signed_in_with(app, SAM, SAFARI)
    phone_socket = socketio.test_client(app, flask_test_client=phone)
    response = post_form(laptop, "/profile/password", {"current_password": "convene-demo",
                                                       "new_password": "a brand new password"},
                         page="/profile/password")
    assert response.status_code == 302
    assert is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert not phone_socket.is_connected()
    assert sign_in(app.test_client(), SAM).status_code != 302
    assert sign_in(app.test_client(), SAM, password="a brand new password").status_code == 302


def test_too_short_new_password_is_refused_beside_its_field(app):
    laptop = signed_in_with(app, SAM, FIREFOX)
    response = post_form(laptop, "/profile/password", {"current_password": "convene-demo", "new_password": "short"},
                         page="/profile/password")
    assert response.status_code == 422
    assert 'id="new_password-error"' in response.get_data(as_text=True)
    csrf_from(response.get_data(as_text=True))
