"""Each socket's role on a document is kept between messages (no SQL per keystroke) and dropped by every
commit that can change it, so a role revoked mid-session takes effect on the very next message; a
flooding socket is refused, then disconnected with a reason. In process (Flask-SocketIO test client)."""
import pytest
from pycrdt import Doc, Text, create_awareness_message, create_sync_message, create_update_message
from sqlalchemy import delete, event, select

from tests.conftest import sign_in
from workspace.accounts.services import find_user_by_email
from workspace.documents import protocol, services
from workspace.extensions import db, socketio
from workspace.spaces.models import Space, SpaceMember

EDITOR = "lee@policing.test"
MODERATOR = "sam@socialwork.test"


@pytest.fixture
def document_id(app):
    with app.app_context():
        space = db.session.scalar(select(Space).where(Space.title == "Crisis response policy 2027"))
        document = services.create_document(space, title="Access", text="Opening.",
                                            actor=find_user_by_email(EDITOR))
        db.session.commit()
        return document.id


@pytest.fixture
def long_cache(app):
    """Only an invalidation, never the age of a check, may refuse in these tests."""
    before = app.config.get("DOCUMENT_ACCESS_RECHECK_SECONDS")
    app.config["DOCUMENT_ACCESS_RECHECK_SECONDS"] = 3600
    yield
    app.config["DOCUMENT_ACCESS_RECHECK_SECONDS"] = before if before is not None else 1.0


class Typist:
    def __init__(self, app, email: str, document_id: int):
        http = app.test_client()
        assert sign_in(http, email).status_code == 302
        self.sio = socketio.test_client(app, flask_test_client=http)
        self.document_id = document_id
        self.doc = Doc()
        self.text = self.doc.get("body", type=Text)
        ack = self.sio.emit("join_document", {"document_id": document_id}, callback=True)
        assert ack["ok"], ack
        self.role, self.join_seq = ack["role"], ack["seq"]
        assert self.send(create_sync_message(self.doc)) == {"ok": True}
        self.sio.get_received()

    def send(self, message: bytes) -> dict:
        return self.sio.emit("document_message", self.document_id, message, callback=True)

    def type(self, s: str) -> dict:
        before = self.doc.get_state()
        self.text.insert(0, s)
        return self.send(create_update_message(self.doc.get_update(before)))

    def cursor(self, clock: int) -> dict:
        entry = protocol.AwarenessEntry(self.doc.client_id, clock, {"cursor": {"anchor": clock}})
        return self.send(create_awareness_message(protocol.encode_awareness([entry])))


def count_statements(app, action):
    statements = []

    def note(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        result = action()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return result, statements


def test_after_the_first_check_a_cursor_move_costs_no_sql(app, document_id, long_cache):
    lee = Typist(app, EDITOR, document_id)
    assert lee.cursor(1) == {"ok": True}
    assert lee.type("stored and relayed")["ok"]        # storing an update (last_seq += 1) keeps the cache
    ack, statements = count_statements(app, lambda: lee.cursor(2))
    assert ack == {"ok": True}
    assert statements == [], statements


def test_withdrawing_the_document_refuses_the_next_keystroke(app, document_id, long_cache):
    lee = Typist(app, EDITOR, document_id)
    assert lee.type("a")["ok"] and lee.cursor(1) == {"ok": True}
    with app.app_context():
        document = db.session.get(services.Document, document_id)
        services.withdraw_document(document, actor=find_user_by_email(MODERATOR), reason="Superseded")
        db.session.commit()
    ack = lee.type("b")
    assert not ack["ok"] and "no longer open for editing" in ack["error"], ack
    assert not lee.cursor(2)["ok"]
    with app.app_context():
        assert "b" not in services.current_text(db.session.get(services.Document, document_id))


def test_leaving_the_space_refuses_the_next_keystroke_but_reading_goes_on(app, document_id, long_cache):
    lee = Typist(app, EDITOR, document_id)
    assert lee.type("a")["ok"]
    with app.app_context():
        lee_id = find_user_by_email(EDITOR).id
        db.session.execute(delete(SpaceMember).where(SpaceMember.user_id == lee_id))  # a bulk delete too
        db.session.commit()
    ack = lee.type("b")
    assert not ack["ok"] and "can read this document but not change it" in ack["error"], ack
    assert lee.send(create_sync_message(lee.doc)) == {"ok": True}   # still a reader of the space


def test_an_unrelated_commit_keeps_the_cache(app, document_id, long_cache):
    lee = Typist(app, EDITOR, document_id)
    assert lee.cursor(1) == {"ok": True}
    with app.app_context():
        services.save_version(db.session.get(services.Document, document_id), note="checkpoint",
                              actor=find_user_by_email(EDITOR))
        db.session.commit()
    ack, statements = count_statements(app, lambda: lee.cursor(2))
    assert ack == {"ok": True} and statements == [], statements


def test_a_flooding_socket_is_refused_then_disconnected_with_a_reason(app, document_id, long_cache):
    app.config.update(DOCUMENT_MESSAGES_PER_SECOND=1, DOCUMENT_MESSAGES_BURST=5, DOCUMENT_FLOOD_REFUSALS=20)
    try:
        flooder = Typist(app, EDITOR, document_id)
        other = Typist(app, MODERATOR, document_id)
        acks = [flooder.cursor(clock) for clock in range(1, 16)]
        refused = [a for a in acks if not a["ok"]]
        assert len(refused) >= 9 and all("Too many messages" in a["error"] for a in refused), acks
        assert other.cursor(1) == {"ok": True}                          # the others are not affected
        for clock in range(16, 60):
            if not flooder.sio.is_connected():
                break
            flooder.cursor(clock)
        assert not flooder.sio.is_connected()
        # (the test client refuses get_received() once disconnected: read what it kept)
        reasons = [e["args"][0]["error"] for e in flooder.sio.queue if e["name"] == "document_flood"]
        assert reasons and "kept sending more than 1 messages a second" in reasons[0], reasons
        assert other.type("still here")["ok"]
    finally:
        app.config.update(DOCUMENT_MESSAGES_PER_SECOND=100, DOCUMENT_MESSAGES_BURST=300, DOCUMENT_FLOOD_REFUSALS=500)


def test_relayed_updates_carry_the_seq_range_they_hold(app, document_id, long_cache):
    lee = Typist(app, EDITOR, document_id)
    sam = Typist(app, MODERATOR, document_id)
    first = lee.type("a")
    second = lee.type("b")
    relayed = [e["args"] for e in sam.sio.get_received() if e["name"] == "document_message"
               and bytes(e["args"][1])[:2] == b"\x00\x02"]
    assert [args[2] for args in relayed] == [{"seq": first["seq"], "prev": first["seq"] - 1},
                                             {"seq": second["seq"], "prev": first["seq"]}]
    assert sam.join_seq == first["seq"] - 1
