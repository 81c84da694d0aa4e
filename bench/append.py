"""store.append, the old way against the new, in one process and one run (docs/performance.md).

`python -m bench.append` (SQLite in a temporary folder) or `BENCH_DATABASE_URL=postgresql+psycopg://… python
-m bench.append` (an empty database). 200 batches of 50 updates over 4 documents per round, the old and the
new `store.append` alternated, 6 rounds; prints the median updates/s of each and the 1-minute load average.
"""
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, update

ROOT = Path(__file__).resolve().parent.parent


def old_append(batch):
    """store.append before 30 Nov 2026: ORM row lock with refresh, an UPDATE, an ORM bulk insert."""
    from workspace.database import utcnow
    from workspace.documents import store
    from workspace.documents.models import Document, DocumentUpdate
    from workspace.extensions import db
    by_document = {}
    for index, (document_id, _data, _user) in enumerate(batch):
        by_document.setdefault(document_id, []).append(index)
    seqs, now, rows = [0] * len(batch), utcnow(), []
    for document_id in sorted(by_document):
        seq = store._lock_document(document_id).last_seq
        for index in by_document[document_id]:
            seq += 1
            seqs[index] = seq
            rows.append({"document_id": document_id, "seq": seq, "data": batch[index][1],
                         "user_id": batch[index][2], "created_at": now})
        db.session.execute(update(Document).where(Document.id == document_id).values(last_seq=seq))
    db.session.execute(insert(DocumentUpdate), rows)
    return seqs


def main() -> None:
    sys.path.insert(0, str(ROOT))
    tmp = Path(tempfile.mkdtemp(prefix="convene-append-"))
    from bench.coedit import bench_app, prepare
    from workspace.documents import store
    from workspace.extensions import db
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/append.db"
    app = bench_app(url, tmp / "instance")
    ids, user_id = prepare(app, 4)
    update_bytes = b"\x01\x01\x90\x03\x00\x84\x90\x03\x00\x01a\x00"
    rates = {"old": [], "new": []}
    with app.app_context():
        for _round in range(6):
            for name, append in (("old", old_append), ("new", store.append)):
                started = time.perf_counter()
                for b in range(200):
                    append([(ids[b % 2], update_bytes, user_id)] * 25 + [(ids[2 + b % 2], update_bytes, user_id)] * 25)
                    db.session.commit()
                rates[name].append(200 * 50 / (time.perf_counter() - started))
    print({"old_updates_per_s": round(statistics.median(rates["old"])),
           "new_updates_per_s": round(statistics.median(rates["new"])), "loadavg": os.getloadavg()[0]})


if __name__ == "__main__":
    main()
