"""The live side of documents in this process: rooms in memory and the writer that makes updates durable."""
from flask import current_app

from workspace.documents import protocol, store
from workspace.documents.models import DocumentAuthor
from workspace.documents.rooms import InlineWriter, RoomRegistry, UpdateWriter
from workspace.extensions import db


class LiveDocuments:
    def __init__(self, app):
        self.rooms = RoomRegistry(idle_seconds=app.config["DOCUMENT_IDLE_SECONDS"])
        self.stored_listeners: list = []  # called with [(document_id, seq, update, origin)] after each commit
        if app.config["DOCUMENT_WRITER"] == "inline":
            self.writer = InlineWriter(compact_after=app.config["DOCUMENT_COMPACT_AFTER"], compact=self.fold,
                                       on_stored=self._stored)
        else:
            self.writer = UpdateWriter(app, compact_after=app.config["DOCUMENT_COMPACT_AFTER"], compact=self.fold,
                                       on_stored=self._stored)

    def _stored(self, items) -> None:
        for listener in self.stored_listeners:
            listener(items)

    def receive_update(self, document_id: int, update: bytes, *, user_id: int | None, origin=None) -> int:
        """Check, store durably, then apply an update; return its sequence number.

        `origin` (the sender's socket id) travels with the stored update to the listeners (the relay)."""
        protocol.check_update(update)
        seq = self.writer.store(document_id, update, user_id, origin=origin)
        self.rooms.get(document_id).apply(update, seq)
        return seq

    def record_author(self, document_id: int, client_id: int, user_id: int) -> None:
        """Name the person behind a Yjs client id the first time it writes (first claim wins)."""
        room = self.rooms.get(document_id)
        if client_id in room.authors:
            return
        room.authors.add(client_id)
        if db.session.get(DocumentAuthor, (document_id, client_id)) is None:
            db.session.add(DocumentAuthor(document_id=document_id, client_id=client_id, user_id=user_id))
            db.session.flush()

    def fold(self, document_id: int) -> int:
        """Compact from the live room when it is in memory (its size), else from the database (its history)."""
        room = self.rooms.peek(document_id)
        if room is None:
            return store.compact(document_id)
        room.catch_up()  # include what was just stored but not yet applied by its sender's thread
        state, upto = room.snapshot()
        return store.fold_into_snapshot(document_id, state, upto)

    def compact(self, document_id: int) -> None:
        store.compact(document_id)
        db.session.commit()

    def evict_idle(self, now: float | None = None) -> list[int]:
        return self.rooms.evict_idle(now=now, compact=self.compact)


def init_app(app) -> None:
    app.config.setdefault("DOCUMENT_WRITER", "group")
    app.config.setdefault("DOCUMENT_IDLE_SECONDS", 60.0)
    app.config.setdefault("DOCUMENT_COMPACT_AFTER", store.COMPACT_AFTER)
    app.config.setdefault("DOCUMENT_MAX_MESSAGE_BYTES", 512 * 1024)
    app.extensions["convene_documents"] = LiveDocuments(app)


def live_documents() -> LiveDocuments:
    return current_app.extensions["convene_documents"]
