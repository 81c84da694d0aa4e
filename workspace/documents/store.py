"""Durable storage of a document's CRDT: an append-only update log folded into a snapshot.

Every update is appended (and committed) before it is acknowledged or relayed. Sequence numbers are
handed out under a lock on the document row, so they commit in order and any process can catch up
by reading "everything after the last seq I applied". Compaction folds the log into the snapshot
in one transaction, so a crash at any point leaves either the old or the new snapshot, never neither.
"""
import logging
import time

from pycrdt import Doc, Text
from sqlalchemy import Integer, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError, OperationalError

from workspace.database import utcnow
from workspace.documents.models import Document, DocumentSnapshot, DocumentUpdate
from workspace.extensions import db

log = logging.getLogger("convene.documents.store")
TEXT_NAME = "body"
COMPACT_AFTER = 500  # log rows beyond the snapshot; a document opens at the cost of its size, not its history
RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock (PostgreSQL)


def new_doc() -> tuple[Doc, Text]:
    doc = Doc()
    text = doc.get(TEXT_NAME, type=Text)
    return doc, text


def _lock_document(document_id: int) -> Document | None:
    """Lock the document row for this transaction (SQLite's BEGIN IMMEDIATE already serializes writers)."""
    query = select(Document).where(Document.id == document_id)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return db.session.scalar(query.execution_options(populate_existing=True))


_STATEMENTS: dict = {}


def _statements() -> dict:
    """Built once: a statement object keeps its compiled form and cache key (a third of the writer's CPU
    went to building and keying the same two statements for every group commit)."""
    if not _STATEMENTS:
        documents = Document.__table__
        _STATEMENTS["take_seqs"] = (
            update(documents).where(documents.c.id == bindparam("document_id"))
            .values(last_seq=documents.c.last_seq + bindparam("n", type_=Integer)).returning(documents.c.last_seq))
        _STATEMENTS["insert"] = insert(DocumentUpdate.__table__)
    return _STATEMENTS


def append(batch: list[tuple[int, bytes, int | None]], connection=None) -> list[int]:
    """Append (document_id, update, user_id) rows in one transaction; return each one's seq.

    The caller commits. Per document, one `UPDATE … SET last_seq = last_seq + n … RETURNING last_seq`
    both takes the row lock (PostgreSQL; SQLite's BEGIN IMMEDIATE already serializes writers) and
    hands out n sequence numbers; then one Core insert for every row. Documents are locked in id
    order so two processes cannot deadlock. On the session's connection unless given one.
    """
    connection = connection if connection is not None else db.session.connection()
    statements = _statements()
    by_document: dict[int, list[int]] = {}
    for index, (document_id, _data, _user) in enumerate(batch):
        by_document.setdefault(document_id, []).append(index)
    seqs = [0] * len(batch)
    now = utcnow()
    rows = []
    for document_id in sorted(by_document):
        indexes = by_document[document_id]
        last = connection.execute(statements["take_seqs"], {"document_id": document_id, "n": len(indexes)}).scalar()
        if last is None:
            raise LookupError(f"document {document_id} no longer exists")
        seq = last - len(indexes)
        for index in indexes:
            seq += 1
            seqs[index] = seq
            _doc_id, data, user_id = batch[index]
            rows.append({"document_id": document_id, "seq": seq, "data": data, "user_id": user_id,
                         "created_at": now})
    connection.execute(statements["insert"], rows)
    return seqs


def append_committed(batch, *, attempts: int = 5, own_transaction: bool = False) -> list[int]:
    """Append and commit, retrying on PostgreSQL serialization failures and deadlocks.

    `own_transaction`: on a connection of its own rather than the session's (the group-commit writer,
    whose session would add nothing but its bookkeeping to every commit)."""
    for attempt in range(1, attempts + 1):
        try:
            if own_transaction:
                with db.engine.begin() as connection:
                    return append(batch, connection)
            seqs = append(batch)
            db.session.commit()
            return seqs
        except (OperationalError, DBAPIError) as exc:
            if not own_transaction:
                db.session.rollback()
            code = getattr(getattr(exc, "orig", None), "sqlstate", None)
            if code not in RETRYABLE_SQLSTATES or attempt == attempts:
                raise
            time.sleep(0.005 * attempt)
    raise AssertionError("unreachable")


def load(document_id: int, *, after_seq: int = 0) -> tuple[list[bytes], int]:
    """The updates needed to rebuild the document past `after_seq`: the snapshot if it is newer, then
    the log in order. Returns (updates, last seq included)."""
    snapshot = db.session.get(DocumentSnapshot, document_id)
    updates, last = [], after_seq
    if snapshot is not None and snapshot.upto_seq > after_seq:
        updates.append(snapshot.state)
        last = snapshot.upto_seq
    rows = db.session.execute(select(DocumentUpdate.seq, DocumentUpdate.data).where(
        DocumentUpdate.document_id == document_id, DocumentUpdate.seq > last).order_by(DocumentUpdate.seq)).all()
    for seq, data in rows:
        updates.append(data)
        last = seq
    return updates, last


def build(document_id: int) -> tuple[Doc, Text, int]:
    """A fresh pycrdt document with everything stored so far."""
    doc, text = new_doc()
    updates, last = load(document_id)
    for data in updates:
        doc.apply_update(data)
    return doc, text, last


def current_text(document_id: int) -> str:
    _doc, text, _seq = build(document_id)
    return str(text)


def log_length(document_id: int) -> int:
    snapshot_seq = db.session.scalar(select(DocumentSnapshot.upto_seq).where(
        DocumentSnapshot.document_id == document_id)) or 0
    return db.session.scalar(select(func.count()).select_from(DocumentUpdate).where(
        DocumentUpdate.document_id == document_id, DocumentUpdate.seq > snapshot_seq)) or 0


def fold_into_snapshot(document_id: int, state: bytes, upto_seq: int) -> int:
    """Store `state` (which holds every update up to `upto_seq`, maybe more) as the snapshot and drop
    the log rows it covers, in one transaction (the caller commits); return rows folded.

    The live room already holds the whole document, so this costs the document's size, not its history.
    """
    if _lock_document(document_id) is None:
        return 0
    snapshot = db.session.get(DocumentSnapshot, document_id)
    if snapshot is not None and snapshot.upto_seq >= upto_seq:
        return 0
    _count_words_before_folding(document_id)
    if snapshot is None:
        db.session.add(DocumentSnapshot(document_id=document_id, upto_seq=upto_seq, state=state, updated_at=utcnow()))
    else:
        snapshot.upto_seq, snapshot.state, snapshot.updated_at = upto_seq, state, utcnow()
    return db.session.execute(delete(DocumentUpdate).where(
        DocumentUpdate.document_id == document_id, DocumentUpdate.seq <= upto_seq)).rowcount


def _count_words_before_folding(document_id: int) -> None:
    """The log is the only record of who typed which words: count them (participation) before it goes."""
    from workspace.participation.words import count_words
    count_words(document_id)


def compact(document_id: int) -> int:
    """Fold the log into the snapshot in one transaction (the caller commits); return rows folded.

    Updates are applied into a fresh Doc and its state encoded: merging a long log with
    merge_updates is far slower and larger (see TOOLCHAIN.md).
    """
    document = _lock_document(document_id)
    if document is None:
        return 0
    doc, _text, last = build(document_id)
    snapshot = db.session.get(DocumentSnapshot, document_id)
    if snapshot is not None and snapshot.upto_seq >= last:
        return 0
    _count_words_before_folding(document_id)
    state = doc.get_update()
    if snapshot is None:
        db.session.add(DocumentSnapshot(document_id=document_id, upto_seq=last, state=state, updated_at=utcnow()))
    else:
        snapshot.upto_seq, snapshot.state, snapshot.updated_at = last, state, utcnow()
    result = db.session.execute(delete(DocumentUpdate).where(
        DocumentUpdate.document_id == document_id, DocumentUpdate.seq <= last))
    log.info("document %s compacted through seq %s (%s log rows, %s state bytes)",
             document_id, last, result.rowcount, len(state))
    return result.rowcount
