"""Builders for board tests: the demo world's people and a fresh board in "Crisis response policy 2027"."""
from sqlalchemy import select

from workspace.accounts import services as accounts
from workspace.boards import services as boards
from workspace.spaces.models import Space
from workspace.extensions import db


def person(name: str):
    emails = {"sam": "sam@socialwork.test", "lee": "lee@policing.test", "priya": "priya@psychiatry.test",
              "jo": "jo@policing.test", "maria": "maria@socialwork.test", "omar": "omar@psychiatry.test",
              "admin": "admin@convene.test", "outsider": "outsider@convene.test"}
    return accounts.find_user_by_email(emails[name])


def space(title: str = "Crisis response policy 2027"):
    return db.session.scalar(select(Space).where(Space.title == title))


def new_board(title: str = "Test rota", actor_name: str = "lee"):
    """A board with To do, Doing, Done in the crisis space (Lee, Sam, Priya, Jo and María are members)."""
    board = boards.create_board(space(), title=title, actor=person(actor_name))
    return board, boards.open_columns(board)
