"""Ending a session from the profile closes that browser's open socket on the real server (issue 12)."""
import re

import pytest

from tests.live_server import cookie_header, post_form, sign_in
from tests.realtime.sockets import names, presence_in

pytestmark = pytest.mark.live


def test_ending_a_session_from_another_browser_closes_its_live_socket(live_server, connect, token_for, space_ids):
    laptop = sign_in(live_server, "jo@policing.test")
    phone = sign_in(live_server, "jo@policing.test")
    space_id = space_ids["Crisis response policy 2027"]
    watcher = connect(token=token_for("priya@psychiatry.test"))
    assert watcher.join_space(space_id)["ok"]
    tab = connect(cookie=cookie_header(phone))
    assert tab.join_space(space_id)["ok"]
    watcher.wait_for("presence_changed", lambda d: presence_in(space_id)(d) and "Jo Nakamura" in names(d["present"]))

    profile = laptop.get(live_server.url + "/profile", timeout=10).text
    rows = re.findall(r'<tr data-session-id="(\d+)">(.*?)</tr>', profile, re.S)
    phone_session = next(sid for sid, row in rows if "(this session)" not in row)
    since = watcher.mark()
    response = post_form(laptop, live_server, f"/profile/sessions/{phone_session}/end", page="/profile")
    assert response.status_code == 302

    tab.wait_for_disconnect()
    watcher.wait_for("presence_changed", lambda d: presence_in(space_id)(d) and "Jo Nakamura" not in names(d["present"]),
                     since=since)
    assert laptop.get(live_server.url + "/profile", timeout=10, allow_redirects=False).status_code == 200
    assert phone.get(live_server.url + "/profile", timeout=10, allow_redirects=False).status_code == 302
