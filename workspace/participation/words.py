"""Words written in documents, counted from the update log off the editing path.

A keystroke costs nothing here: updates are counted in batches, when the log is about to be folded into
a snapshot (documents/store.py calls `count_words` first, since the log is the only place the words are
known), when an idle room is compacted, and by `flask participation-count-words` for documents nobody
has folded lately. Each uncounted update is replayed onto the document as it stood before it, and the
word starts it typed (a non-space right after a space or at the start) go to the person behind its Yjs
client (DocumentAuthor, falling back to the update's sender), on the day it was stored.
"""
import re
import time
from collections import defaultdict

from sqlalchemy import select

from workspace.documents.protocol import first_client
from workspace.extensions import db
from workspace.participation.models import WORDS, WordsCountedThrough, WordsWritten

_WORD_STARTS = re.compile(rb"\s\S")


def words_added(text: bytes, delta) -> int:
    """How many words one change's inserts added, given the text after it (UTF-8: pycrdt's deltas count bytes).

    Words start where a non-space follows a space or the start. An insert adds the word starts inside it, plus
    one when it ends with a space that splits a word, minus one when it runs into a word that used to start
    there (typing in front of a word moves its start, it does not add one). Deletions are not subtracted.
    """
    pos = count = 0
    for op in delta:
        if "retain" in op:
            pos += op["retain"]
        elif "insert" in op:
            inserted = op["insert"]
            size = len(inserted.encode()) if isinstance(inserted, str) else 1
            if isinstance(inserted, str) and size:
                before = text[pos - 1:pos] if pos else b" "
                count += len(_WORD_STARTS.findall(before + text[pos:pos + size]))
                after = text[pos + size:pos + size + 1]
                if after and not after.isspace():
                    count += text[pos + size - 1:pos + size].isspace() - before.isspace()
            pos += size
    return count


def count_words(document_id: int) -> int:
    """Count the words added by a document's uncounted updates into the counters; return how many (caller commits)."""
    from workspace.documents import store
    from workspace.documents.models import DocumentAuthor, DocumentSnapshot, DocumentUpdate
    from workspace.participation import services as participation
    document = store._lock_document(document_id)  # two processes must not count the same updates twice
    if document is None:
        return 0
    space_id = document.space_id
    mark = db.session.get(WordsCountedThrough, document_id)
    if mark is None:
        mark = WordsCountedThrough(document_id=document_id, seq=0)
        db.session.add(mark)
    snapshot = db.session.get(DocumentSnapshot, document_id)
    folded = snapshot.upto_seq if snapshot is not None else 0
    start = max(mark.seq, folded)  # folded before counting existed: those words cannot be known any more
    rows = db.session.execute(select(DocumentUpdate.seq, DocumentUpdate.data, DocumentUpdate.user_id,
                                     DocumentUpdate.created_at).where(
        DocumentUpdate.document_id == document_id, DocumentUpdate.seq > folded).order_by(DocumentUpdate.seq)).all()
    tail = [row for row in rows if row.seq > start]
    if not tail:
        mark.seq = start
        return 0
    doc, text = _rebuilt(store, snapshot, rows, start)
    authors = dict(db.session.execute(select(DocumentAuthor.client_id, DocumentAuthor.user_id).where(
        DocumentAuthor.document_id == document_id)).all())
    added = _replay(doc, text, tail, authors, participation._day, mirrored=True)
    if added is None:  # the mirror lost step with the text (never seen): count the slow, sure way
        added = _replay(*_rebuilt(store, snapshot, rows, start), tail, authors, participation._day, mirrored=False)
    pending = {}
    for (user_id, day), words in added.items():
        _add_written(document_id, user_id, day, words)
        participation.add(db.session, space_id=space_id, user_id=user_id, kind=WORDS, amount=words, day=day,
                          pending=pending)
    mark.seq = tail[-1].seq
    db.session.flush()
    return sum(added.values())


def _rebuilt(store, snapshot, rows, start):
    doc, text = store.new_doc()
    if snapshot is not None:
        doc.apply_update(snapshot.state)
    for row in rows:
        if row.seq <= start:
            doc.apply_update(row.data)
    return doc, text


def _replay(doc, text, tail, authors, day_of, *, mirrored: bool):
    """{(user_id, day): words} for the updates of `tail`, applied to `doc` in order.

    `mirrored`: keep a UTF-8 copy of the text in step from each change's delta (a memmove per change)
    instead of reading the whole text after every update (which made a fold of 500 updates of a long
    document cost seconds in the writer); returns None if the copy and the text differ at the end.
    """
    deltas = []
    subscription = text.observe(lambda event: deltas.append(event.delta))
    added = defaultdict(int)
    mirror = bytearray(str(text).encode()) if mirrored else None
    try:
        for index, row in enumerate(tail):
            if index % 50 == 49:
                # Counting runs in the document writer (before a fold): let the relay and the sockets'
                # writers run between slices (a gevent yield, or a GIL switch with threads).
                time.sleep(0)
            doc.apply_update(row.data)
            if not deltas:
                continue
            if mirrored:
                for delta in deltas:
                    _apply_delta(mirror, delta)
                now = mirror
            else:
                now = str(text).encode()
            words = sum(words_added(now, delta) for delta in deltas)
            deltas.clear()
            who = authors.get(first_client(row.data)) or row.user_id
            if words and who is not None:
                added[(who, day_of(row.created_at))] += words
    finally:
        text.unobserve(subscription)
    if mirrored and bytes(mirror) != str(text).encode():
        return None
    return added


def _apply_delta(mirror: bytearray, delta) -> None:
    pos = 0
    for op in delta:
        if "retain" in op:
            pos += op["retain"]
        elif "insert" in op:
            inserted = op["insert"]
            data = inserted.encode() if isinstance(inserted, str) else b""
            mirror[pos:pos] = data
            pos += len(data) if isinstance(inserted, str) else 1
        elif "delete" in op:
            del mirror[pos:pos + op["delete"]]


def _add_written(document_id, user_id, day, words) -> None:
    row = db.session.scalar(select(WordsWritten).where(WordsWritten.document_id == document_id,
                                                       WordsWritten.user_id == user_id, WordsWritten.day == day))
    if row is None:
        db.session.add(WordsWritten(document_id=document_id, user_id=user_id, day=day, words=words))
    else:
        row.words += words


def count_all_words() -> int:
    """Count every document that has uncounted updates (the periodic pass); return documents counted."""
    from workspace.documents.models import Document
    behind = db.session.scalars(select(Document.id).outerjoin(
        WordsCountedThrough, WordsCountedThrough.document_id == Document.id).where(
        Document.last_seq > db.func.coalesce(WordsCountedThrough.seq, 0)))
    ids = list(behind)
    for document_id in ids:
        count_words(document_id)
    return len(ids)
