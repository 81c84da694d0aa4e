"""Live document rooms in process (Flask-SocketIO test client, updates stored inline): idle rooms leave
memory and come back identical; the update log is folded into a snapshot as it grows."""
import time

import pytest
from pycrdt import Doc, Text, create_sync_message, create_update_message, handle_sync_message
from sqlalchemy import func, select

from tests.conftest import sign_in
from workspace.accounts.services import find_user_by_email
from workspace.documents import services, store
from workspace.documents.live import LiveDocuments
from workspace.documents.models import DocumentSnapshot, DocumentUpdate
from workspace.extensions import db, socketio
from workspace.spaces.models import Space

OPENING = "Opening ✓ — שלום, مرحبا, e\u0301, 😀"
PIECES = ["😀", "👩🏽\u200d💻", "שלום", " مرحبا", "e\u0301", "n\u0303", "क्षि", "🇺🇦", " ", "x"]


@pytest.fixture
def document_id(app):
    with app.app_context():
        space = db.session.scalar(select(Space).where(Space.title == "Crisis response policy 2027"))
        document = services.create_document(space, title="Rooms", text=OPENING,
                                            actor=find_user_by_email("lee@policing.test"))
        db.session.commit()
        return document.id


class Editor:
    """A test-client socket with its own pycrdt copy of the document."""

    def __init__(self, app, email: str, document_id: int):
        http = app.test_client()
        assert sign_in(http, email).status_code == 302
        self.sio = socketio.test_client(app, flask_test_client=http)
        self.document_id = document_id
        self.doc = Doc()
        self.text = self.doc.get("body", type=Text)
        ack = self.sio.emit("join_document", {"document_id": document_id}, callback=True)
        assert ack["ok"] and ack["role"] == "editor", ack
        ack = self.sio.emit("document_message", document_id, create_sync_message(self.doc), callback=True)
        assert ack == {"ok": True}
        self.receive()

    def receive(self) -> None:
        for event in self.sio.get_received():
            if event["name"] == "document_message" and event["args"][0] == self.document_id:
                message = bytes(event["args"][1])
                if message[0] == 0:
                    handle_sync_message(message[1:], self.doc)

    def insert(self, index: int, s: str) -> dict:
        before = self.doc.get_state()
        current = str(self.text)
        self.text.insert(len(current[:index].encode()), s)
        message = create_update_message(self.doc.get_update(before))
        ack = self.sio.emit("document_message", self.document_id, message, callback=True)
        assert ack.get("ok") and "seq" in ack, ack
        return ack

    def type(self, n: int) -> None:
        for i in range(n):
            self.insert((i * 7) % (len(str(self.text)) + 1), PIECES[i % len(PIECES)])


def log_rows(app, document_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(DocumentUpdate).where(
            DocumentUpdate.document_id == document_id))


def test_an_idle_room_leaves_memory_and_reloads_identically(app, document_id):
    lee = Editor(app, "lee@policing.test", document_id)
    sam = Editor(app, "sam@socialwork.test", document_id)
    lee.type(25)
    sam.receive()
    sam.type(25)
    lee.receive()
    live = app.extensions["convene_documents"]
    room = live.rooms.peek(document_id)
    text, state = room.current_text(), room.state_vector()
    assert str(lee.text) == str(sam.text) == text

    lee.sio.disconnect()
    idle = app.config["DOCUMENT_IDLE_SECONDS"]
    with app.app_context():
        assert document_id not in live.evict_idle(now=time.monotonic() + 3600), "a room someone has open must stay"
        sam.sio.disconnect()
        assert document_id not in live.evict_idle(now=time.monotonic() + idle / 2), "evicted before its idle time"
        assert document_id in live.evict_idle(now=time.monotonic() + idle + 1)
    assert live.rooms.peek(document_id) is None

    with app.app_context():  # eviction folded the log into the snapshot
        assert db.session.get(DocumentSnapshot, document_id) is not None
    assert log_rows(app, document_id) == 0
    with app.app_context():
        reloaded = live.rooms.get(document_id)
    assert reloaded is not room
    assert reloaded.current_text() == text
    assert reloaded.diff_since(state) == b"\x00\x00", "the reloaded room has something the old one lacked"
    assert lee.doc.get_update(reloaded.state_vector()) == b"\x00\x00", "the reloaded room lacks something"
    jo = Editor(app, "jo@policing.test", document_id)   # and a newcomer gets the same text
    assert str(jo.text) == text


def test_the_log_is_folded_once_it_passes_the_compaction_threshold(app, document_id, monkeypatch):
    assert app.config["DOCUMENT_COMPACT_AFTER"] == 500  # the documented default
    monkeypatch.setitem(app.config, "DOCUMENT_COMPACT_AFTER", 40)
    monkeypatch.setitem(app.extensions, "convene_documents", LiveDocuments(app))
    lee = Editor(app, "lee@policing.test", document_id)
    assert log_rows(app, document_id) == 1                  # the opening text
    lee.type(39)
    assert log_rows(app, document_id) == 40
    with app.app_context():
        assert db.session.get(DocumentSnapshot, document_id) is None
    lee.type(1)                                             # the 40th update stored through the socket
    with app.app_context():
        snapshot = db.session.get(DocumentSnapshot, document_id)
        assert snapshot is not None and snapshot.upto_seq == 41
        assert store.current_text(document_id) == str(lee.text)
    assert log_rows(app, document_id) == 0
    lee.type(7)
    assert log_rows(app, document_id) == 7
    with app.app_context():
        assert store.current_text(document_id) == str(lee.text)
    assert app.extensions["convene_documents"].rooms.peek(document_id).current_text() == str(lee.text)
