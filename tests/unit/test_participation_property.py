"""Property: the participation figures kept incrementally equal a recount from the raw rows, whatever
mix of comments and card actions, by whichever members, on whichever days."""
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from workspace.boards.models import Board, BoardColumn, Card
from workspace.comments.models import Comment
from workspace.database import utcnow
from workspace.extensions import db
from workspace.participation import services as participation
from workspace.spaces.models import Space

contribution = st.tuples(st.sampled_from(["comment", "card"]), st.integers(0, 10), st.integers(0, 45))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(contribution, max_size=30))
def test_figures_equal_a_recount_from_the_raw_rows(ctx, contributions):
    space = db.session.scalar(select(Space).where(Space.title == "Crisis response policy 2027"))
    members = [m.user_id for m in space.members]
    board = db.session.scalar(select(Board).where(Board.space_id == space.id))
    column = db.session.scalar(select(BoardColumn).where(BoardColumn.board_id == board.id)) if board else None
    now = utcnow()
    for what, who, days_ago in contributions:
        author = members[who % len(members)]
        when = now - timedelta(days=days_ago, minutes=1)
        if what == "comment" or column is None:
            db.session.add(Comment(space_id=space.id, author_id=author, body="x", created_at=when))
        else:
            db.session.add(Card(board_id=board.id, column_id=column.id, position="zz", title="t",
                                created_by_id=author, created_at=when, updated_at=when))
    db.session.flush()
    assert participation.figures(space) == participation.recount(space)


def test_a_new_comment_counts_at_once(ctx):
    from workspace.accounts.services import find_user_by_email
    from workspace.comments import services as comments
    space = db.session.scalar(select(Space).where(Space.title == "Referral guidelines"))
    before = participation.figures(space)["windows"]["7d"]["total"]
    comments.create_comment(space=space, actor=find_user_by_email("omar@psychiatry.test"), body="Counted")
    after = participation.figures(space)
    assert after["windows"]["7d"]["total"] == before + 1
    assert find_user_by_email("omar@psychiatry.test").id not in after["not_yet_heard"]


def test_rebuilding_the_counters_gives_the_same_figures(ctx):
    space = db.session.scalar(select(Space).where(Space.title == "Crisis response policy 2027"))
    before = participation.figures(space)
    participation.rebuild_counts(space)
    assert participation.figures(space) == before == participation.recount(space)
