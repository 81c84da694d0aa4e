"""Participation benchmark: figures for a space with 100,000 contributions from 300 members in 4 communities.

Run `python -m bench.participation` (or `make bench-participation`). On a fresh SQLite database (or
TEST_DATABASE_URL's PostgreSQL) it builds 4 communities, 300 members in one space convening all four,
and 100,000 comments spread over 400 days (inserted in bulk, then counted once with `rebuild_counts`,
as a deployment would after the migration). It then adds 300 more comments through the comment service
(the counters follow in the same transaction) and checks the figures still equal a recount. Measured
in the same run, interleaved: `figures` (what the page and the API serve) and `recount` (from the raw rows).
Prints one JSON document with p50/p95 and the ratio. Target (issue 10): figures p50 < 50 ms.
"""
import json
import os
import random
import statistics
import tempfile
import time
from datetime import timedelta

from sqlalchemy import insert

N_CONTRIBUTIONS, N_MEMBERS, N_COMMUNITIES, DAYS = 100_000, 300, 4, 400


def build(app):
    from workspace.accounts.models import User
    from workspace.comments.models import Comment
    from workspace.communities.models import Community, Membership
    from workspace.database import utcnow
    from workspace.extensions import db
    from workspace.participation import services as participation
    from workspace.spaces.models import ACCEPTED, ACTIVE, Space, SpaceCommunity, SpaceMember
    rng = random.Random(10)
    now = utcnow()
    communities = [Community(name=f"Community {i}", slug=f"community-{i}", colour="#334455") for i in range(N_COMMUNITIES)]
    db.session.add_all(communities)
    db.session.flush()
    db.session.execute(insert(User), [{"email": f"m{i}@bench.test", "display_name": f"Member {i}",
                                       "password_hash": "x", "created_at": now} for i in range(N_MEMBERS)])
    users = list(db.session.scalars(db.select(User.id).where(User.email.like("%@bench.test")).order_by(User.id)))
    # uneven on purpose: the first community has half the members
    weights = [0.5, 0.2, 0.2, 0.1]
    of = {u: rng.choices(range(N_COMMUNITIES), weights)[0] for u in users}
    db.session.execute(insert(Membership), [{"community_id": communities[c].id, "user_id": u, "role": "member",
                                             "created_at": now} for u, c in of.items()])
    space = Space(title="Bench space", purpose="bench", ground_rules="", status=ACTIVE, proposed_by_id=users[0])
    db.session.add(space)
    db.session.flush()
    db.session.add_all([SpaceCommunity(space_id=space.id, community_id=c.id, status=ACCEPTED) for c in communities])
    db.session.execute(insert(SpaceMember), [{"space_id": space.id, "user_id": u, "role": "participant",
                                              "accepted_ground_rules_at": now, "joined_at": now} for u in users])
    talkers = users[: int(N_MEMBERS * 0.8)]  # a fifth of the members never speak
    batch = []
    for i in range(N_CONTRIBUTIONS):
        batch.append({"space_id": space.id, "author_id": rng.choice(talkers), "body": "x",
                      "created_at": now - timedelta(days=rng.randrange(DAYS), seconds=rng.randrange(86400))})
        if len(batch) == 10_000:
            db.session.execute(insert(Comment), batch)
            batch = []
    if batch:
        db.session.execute(insert(Comment), batch)
    db.session.commit()
    participation.rebuild_counts(space)
    db.session.commit()
    return space.id, talkers


def timed(fn, repeat):
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def summary(values):
    ms = sorted(v * 1000 for v in values)
    return {"n": len(ms), "p50_ms": round(statistics.median(ms), 2), "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 2)}


def main():
    from tests.conftest import test_config
    from workspace import create_app
    from workspace.accounts.models import User
    from workspace.comments import services as comments
    from workspace.extensions import db
    from workspace.participation import services as participation
    from workspace.spaces.models import Space
    url = os.environ.get("TEST_DATABASE_URL")
    tmp = tempfile.mkdtemp()
    if url:
        from tests.databases import create_database
        url = create_database(tmp, "bench_participation")
    else:
        url = f"sqlite:///{tmp}/bench.db"
    app = create_app(test_config(url, WTF_CSRF_ENABLED=False))
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
        started = time.perf_counter()
        space_id, talkers = build(app)
        built_s = time.perf_counter() - started
        space = db.session.get(Space, space_id)
        # contributions as they happen: through the service, counted in the same transaction
        per_comment = timed(lambda: (comments.create_comment(space=space, actor=db.session.get(User, random.choice(talkers)),
                                                             body="Live"), db.session.commit()), 300)
        assert participation.figures(space) == participation.recount(space), "counters drifted from the raw rows"
        fast, slow = [], []
        for _ in range(10):  # interleaved, so load changes hit both alike
            fast += timed(lambda: participation.figures(space), 5)
            slow += timed(lambda: participation.recount(space), 1)
        figures_s, recount_s = summary(fast), summary(slow)
        db.session.remove()
        db.engine.dispose()
    if os.environ.get("TEST_DATABASE_URL"):
        from tests.databases import drop_database
        drop_database(url)
    print(json.dumps({
        "contributions": N_CONTRIBUTIONS + 300, "members": N_MEMBERS, "communities": N_COMMUNITIES,
        "database": url.split(":")[0], "build_s": round(built_s, 1),
        "comment_with_counting": summary(per_comment),
        "figures_from_counters": figures_s, "full_recount": recount_s,
        "ratio_recount_over_figures_p50": round(recount_s["p50_ms"] / figures_s["p50_ms"], 1),
        "target_p50_ms": 50, "load_uptime": os.getloadavg(),
    }, indent=2))


if __name__ == "__main__":
    main()
