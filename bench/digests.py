"""Digest benchmark: `flask send-digests` for 10,000 people with 20 unread notices each, and its queries per person.

Run `python -m bench.digests` (options: `--people 10000 --notices 20`). It makes a fresh SQLite database
(or PostgreSQL with TEST_DATABASE_URL) holding the demo world, adds people and unread notices in bulk
(each notice points at a real card, document, space or join request, by a demo person, in one of the
demo spaces or none), then, in the same run:
- counts the SQL statements of `flask send-digests` (an SQLAlchemy `before_cursor_execute` listener)
  for 100 and then 1,000 people: the per-person figure must stay flat (no query per person or notice
  beyond the one outbox row each person's e-mail is);
- the baseline, measured alongside: the same code fed one person at a time (batches of 1), which is
  what a loop over people would cost: its statements grow with every person;
- times the command for `--people` people (target: under 30 s on SQLite).
Prints one JSON document with the load average.
"""
import argparse
import json
import os
import tempfile
import time
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event, func, insert, select

from tests import databases
from tests.conftest import FAST_HASH


def make_app(database_url: str, instance: str):
    os.environ["CONVENE_INSTANCE_PATH"] = instance
    from workspace import create_app
    return create_app({"TESTING": False, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": database_url,
                       "RATELIMIT_ENABLED": False, "PASSWORD_HASH": FAST_HASH, "SOCKETIO_MESSAGE_QUEUE": None,
                       "MAIL_SMTP_HOST": None})


def subjects_to_point_at():
    """(type, id, space_id) of real things: cards, documents, spaces, join requests."""
    from workspace.boards.models import Board, Card
    from workspace.communities.models import JoinRequest
    from workspace.documents.models import Document
    from workspace.extensions import db
    from workspace.spaces.models import Space
    found = [("card", c.id, b.space_id, "card", c.id) for c, b in db.session.execute(
        select(Card, Board).join(Board, Card.board_id == Board.id).limit(12))]
    found += [("document", d.id, d.space_id, "document", d.id) for d in db.session.scalars(select(Document))]
    found += [("space", s.id, s.id, "space", s.id) for s in db.session.scalars(select(Space))]
    found += [("join_request", r.id, None, "community", r.community_id) for r in db.session.scalars(select(JoinRequest))]
    return found


def add_people(count: int, notices_each: int, *, tag: str) -> list[int]:
    """Insert `count` people with `notices_each` unread notices each, in bulk; return their ids."""
    from workspace.accounts.models import User
    from workspace.database import utcnow
    from workspace.extensions import db
    from workspace.notices.models import Notice
    kinds = ["mention", "reply", "comment", "assigned", "card_comment", "join_requested"]
    actors = list(db.session.scalars(select(User.id).where(User.email.like("%.test")).limit(6)))
    pointers = subjects_to_point_at()
    now = utcnow() - timedelta(seconds=5)
    db.session.execute(insert(User), [{"email": f"{tag}-{i}@bench.test", "display_name": f"Person {tag} {i}",
                                       "password_hash": "x", "is_admin": False, "created_at": now}
                                      for i in range(count)])
    ids = list(db.session.scalars(select(User.id).where(User.email.like(f"{tag}-%@bench.test")).order_by(User.id)))
    rows = []
    for n, user_id in enumerate(ids):
        for k in range(notices_each):
            kind_of, subject_id, space_id, group_type, group_id = pointers[(n + k) % len(pointers)]
            rows.append({"user_id": user_id, "kind": kinds[k % len(kinds)], "actor_id": actors[k % len(actors)],
                         "space_id": space_id, "subject_type": kind_of, "subject_id": subject_id,
                         "group_type": group_type, "group_id": group_id, "text": "snapshot", "url": "",
                         "created_at": now + timedelta(microseconds=k)})
    for start in range(0, len(rows), 20_000):
        db.session.execute(insert(Notice), rows[start:start + 20_000])
    db.session.commit()
    return ids


@contextmanager
def counting(engine):
    counter = {"statements": 0}

    def count(*_args, **_kwargs):
        counter["statements"] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", count)


def run_command(app) -> tuple[float, str]:
    runner = app.test_cli_runner()
    started, cpu = time.perf_counter(), time.process_time()
    result = runner.invoke(args=["send-digests", "--base-url", "https://convene.example"])
    elapsed = time.perf_counter() - started
    run_command.cpu_seconds = time.process_time() - cpu  # this process's CPU: what a quiet machine would take
    assert result.exit_code == 0, result.output
    return elapsed, result.output.strip()


def one_at_a_time(app) -> None:
    """The baseline: the same service fed one person per batch, as a loop over people would be."""
    from workspace.database import utcnow
    from workspace.extensions import db
    from workspace.notices import digests
    with app.app_context():
        run_at = utcnow()
        for person in digests.pending_people(run_at):
            digests.send_digest_batch([person], run_at=run_at, base_url="https://convene.example")
        db.session.commit()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--notices", type=int, default=20)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="convene-digests-")
    database_url = databases.create_database(tmp, "digests")
    app = make_app(database_url, tmp)
    from flask_migrate import upgrade

    from workspace.accounts.models import OutboxMessage
    from workspace.demo import seed_demo
    from workspace.extensions import db
    import logging
    logging.getLogger("convene.mail").setLevel(logging.WARNING)  # 10,000 bodies in the log is not the job
    try:
        with app.app_context():
            upgrade()
            seed_demo()
            db.session.commit()
            # The demo's own notices first, so each measured run holds only its own people.
            run_command(app)
            engine = db.engine
        figures = {"database": database_url.split(":")[0], "notices_per_person": args.notices,
                   "load_avg_1m_before": round(os.getloadavg()[0], 2)}
        per_person = {}
        for people in (100, 1000):
            with app.app_context():
                add_people(people, args.notices, tag=f"q{people}")
            with counting(engine) as counter:
                run_command(app)
            per_person[people] = counter["statements"]
        baseline = {}
        for people in (100, 1000):
            with app.app_context():
                add_people(people, args.notices, tag=f"b{people}")
            with counting(engine) as counter:
                one_at_a_time(app)
            baseline[people] = counter["statements"]
        figures["statements"] = {
            "batched": {str(n): {"total": s, "per_person": round(s / n, 3)} for n, s in per_person.items()},
            "one_person_at_a_time_baseline": {str(n): {"total": s, "per_person": round(s / n, 3)}
                                              for n, s in baseline.items()}}
        with app.app_context():
            add_people(args.people, args.notices, tag="big")
            mails_before = db.session.scalar(select(func.count(OutboxMessage.id)))
        elapsed, output = run_command(app)
        with app.app_context():
            mails = db.session.scalar(select(func.count(OutboxMessage.id))) - mails_before
        figures["send_digests"] = {"people": args.people, "seconds": round(elapsed, 2),
                                   "cpu_seconds": round(run_command.cpu_seconds, 2), "mails": mails,
                                   "ms_per_person": round(elapsed * 1000 / args.people, 3), "output": output,
                                   "target_seconds": 30, "met": elapsed < 30}
        figures["load_avg_1m_after"] = round(os.getloadavg()[0], 2)
        print(json.dumps(figures, indent=2))
    finally:
        with app.app_context():
            db.engine.dispose()
        databases.drop_database(database_url)


if __name__ == "__main__":
    main()
