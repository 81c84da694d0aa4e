"""Space rooms over a real socket: live presence, the policy on joining, and malformed requests."""
import threading

import pytest

from tests.live_server import CRISIS, REFERRAL
from tests.realtime.sockets import names, presence_in, wait_until

pytestmark = pytest.mark.live


def test_second_person_joining_shows_both_to_the_first(connect, token_for, space_ids):
    space_id = space_ids[REFERRAL]
    priya = connect(token=token_for("priya@psychiatry.test"))
    sam = connect(token=token_for("sam@socialwork.test"))
    assert "Priya Raman" in names(priya.join_space(space_id)["present"])

    ack = sam.join_space(space_id)

    assert {"Priya Raman", "Sam Okafor"} <= names(ack["present"])
    seen = priya.wait_for("presence_changed",
                          lambda d: presence_in(space_id)(d) and "Sam Okafor" in names(d["present"]))
    assert "Priya Raman" in names(seen["present"])
    sam_entry = next(p for p in seen["present"] if p["display_name"] == "Sam Okafor")
    assert sam_entry["communities"] == ["Social Work"]

    since = priya.mark()
    sam.close()

    left = priya.wait_for("presence_changed",
                          lambda d: presence_in(space_id)(d) and "Sam Okafor" not in names(d["present"]), since=since)
    assert "Priya Raman" in names(left["present"])


def test_leaving_a_space_is_seen_by_those_still_there(connect, token_for, space_ids):
    space_id = space_ids[CRISIS]
    sam = connect(token=token_for("sam@socialwork.test"))
    priya = connect(token=token_for("priya@psychiatry.test"))
    assert sam.join_space(space_id)["ok"]
    assert priya.join_space(space_id)["ok"]
    sam.wait_for("presence_changed", lambda d: presence_in(space_id)(d) and "Priya Raman" in names(d["present"]))
    since = sam.mark()

    assert priya.call("leave_space", {"space_id": space_id}) == {"ok": True}

    sam.wait_for("presence_changed",
                 lambda d: presence_in(space_id)(d) and "Priya Raman" not in names(d["present"]), since=since)
    assert priya.connected


def test_person_with_two_tabs_stays_present_until_the_last_closes(connect, token_for, space_ids):
    space_id = space_ids[REFERRAL]
    token = token_for("omar@psychiatry.test")
    watcher = connect(token=token_for("sam@socialwork.test"))
    first_tab, second_tab = connect(token=token), connect(token=token)
    assert watcher.join_space(space_id)["ok"]
    since = watcher.mark()
    assert first_tab.join_space(space_id)["ok"]
    ack = second_tab.join_space(space_id)
    assert [p["display_name"] for p in ack["present"]].count("Omar Haddad") == 1
    # Both tabs' arrivals are announced; wait for both, so a late one is not taken for what follows.
    wait_until(lambda: len(watcher.received("presence_changed", presence_in(space_id), since=since)) >= 2,
               message="both tabs' arrivals to be announced")

    since = watcher.mark()
    first_tab.close()
    # The closed tab produces an update that still lists Omar, once.
    still = watcher.wait_for("presence_changed", presence_in(space_id), since=since)
    assert [p["display_name"] for p in still["present"]].count("Omar Haddad") == 1

    since = watcher.mark()
    second_tab.close()
    watcher.wait_for("presence_changed",
                     lambda d: presence_in(space_id)(d) and "Omar Haddad" not in names(d["present"]), since=since)


def test_people_leaving_at_the_same_moment_are_all_seen_to_leave(connect, token_for, space_ids):
    space_id = space_ids[REFERRAL]
    watcher = connect(token=token_for("sam@socialwork.test"))
    assert watcher.join_space(space_id)["ok"]
    leaving = [connect(token=token_for("priya@psychiatry.test")), connect(token=token_for("omar@psychiatry.test"))]
    for client in leaving:
        assert client.join_space(space_id)["ok"]
    # Events reach one socket in the order they were sent: once a list with both has arrived,
    # nothing older is still on its way.
    watcher.wait_for("presence_changed",
                     lambda d: presence_in(space_id)(d) and {"Priya Raman", "Omar Haddad"} <= names(d["present"]))
    since = watcher.mark()

    barrier = threading.Barrier(len(leaving))

    def close(client):
        barrier.wait()
        client.close()

    threads = [threading.Thread(target=close, args=(client,)) for client in leaving]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # One announcement per departure; the last one must show neither (each must see the other gone).
    def both_announced():
        found = watcher.received("presence_changed", presence_in(space_id), since=since)
        return found if len(found) >= 2 else None

    updates = wait_until(both_announced, message="both departures to be announced")
    assert [sorted(names(u["present"])) for u in updates][-1] == ["Sam Okafor"]


def test_person_who_cannot_see_a_space_cannot_watch_it(connect, token_for, space_ids):
    referral, crisis = space_ids[REFERRAL], space_ids[CRISIS]
    jo = connect(token=token_for("jo@policing.test"))
    priya = connect(token=token_for("priya@psychiatry.test"))

    refused = jo.join_space(referral)

    assert refused["ok"] is False
    assert refused["error"]
    assert "present" not in refused
    assert jo.join_space(crisis)["ok"]  # a space Jo may see: proves Jo's events do get delivered
    since = jo.mark()

    # Priya enters the hidden space, then the shared one; events to one socket arrive in order, so
    # once Jo has the second, any for the first would already be here.
    assert priya.join_space(referral)["ok"]
    assert priya.join_space(crisis)["ok"]

    jo.wait_for("presence_changed", lambda d: presence_in(crisis)(d) and "Priya Raman" in names(d["present"]),
                since=since)
    assert jo.received("presence_changed", presence_in(referral)) == []


def test_unknown_space_is_refused_like_a_hidden_one(connect, token_for):
    ack = connect(token=token_for("jo@policing.test")).join_space(999_999)
    assert ack["ok"] is False and ack["error"]


@pytest.mark.parametrize("payload", [
    pytest.param("1", id="a string"),
    pytest.param([1], id="a list"),
    pytest.param({}, id="no space_id"),
    pytest.param({"space_id": "1"}, id="space_id as text"),
    pytest.param({"space_id": None}, id="space_id null"),
    pytest.param({"space_id": True}, id="space_id true"),
    pytest.param({"space_id": 1.5}, id="space_id fractional"),
])
def test_malformed_join_is_refused_and_the_connection_survives(connect, token_for, payload, space_ids):
    client = connect(token=token_for("omar@psychiatry.test"))

    ack = client.call("join_space", payload)

    assert ack["ok"] is False
    assert isinstance(ack["error"], str) and ack["error"]
    assert client.connected
    assert client.join_space(space_ids[REFERRAL])["ok"] is True


def test_join_without_any_payload_is_refused(connect, token_for, space_ids):
    client = connect(token=token_for("omar@psychiatry.test"))

    ack = client.call("join_space")

    assert ack["ok"] is False and ack["error"]
    assert client.join_space(space_ids[REFERRAL])["ok"] is True
