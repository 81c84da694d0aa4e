"""Fixtures: one database per run with the demo world, and a rolled-back transaction per test.

Each test runs in its own transaction on the real engine (SQLite by default, PostgreSQL when
TEST_DATABASE_URL is set); whatever a test or its requests commit is rolled back afterwards.
"""
import re

import pytest
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy.orm import scoped_session, sessionmaker

from tests import databases
from workspace import create_app
from workspace.extensions import db

FAST_HASH = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
OUTSIDER = "outsider@convene.test"


def test_config(database_url: str, **extra) -> dict:
    config = {"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": database_url,
              "RATELIMIT_ENABLED": False, "PASSWORD_HASH": FAST_HASH, "SOCKETIO_MESSAGE_QUEUE": None,
              "WTF_CSRF_ENABLED": True, "SERVER_NAME": None,
              # Handlers run synchronously in the test's transaction: store updates inline, not on a thread.
              "DOCUMENT_WRITER": "inline"}
    config.update(extra)
    return config


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = databases.create_database(tmp_path_factory.mktemp("db"), "test")
    yield url
    databases.drop_database(url)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    """The app on a migrated database holding the demo world and one person with no community."""
    import os
    os.environ["CONVENE_INSTANCE_PATH"] = str(tmp_path_factory.mktemp("instance"))
    app = create_app(test_config(database_url))
    with app.app_context():
        from flask_migrate import upgrade

        from workspace.accounts.services import register_user
        from workspace.demo import seed_demo
        upgrade()
        seed_demo()
        register_user(email=OUTSIDER, display_name="Oscar Outsider", password="convene-demo")
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def transaction(request, app):
    """Run the test in a transaction that is rolled back, whatever the requests committed."""
    if request.node.get_closest_marker("live") or request.node.get_closest_marker("browser"):
        yield None
        return
    with app.app_context():
        connection = db.engine.connect()
    outer = connection.begin()
    original = db.session
    db.session = scoped_session(sessionmaker(bind=connection, join_transaction_mode="create_savepoint",
                                             expire_on_commit=False),
                                scopefunc=_app_ctx_id)
    try:
        yield connection
    finally:
        with app.app_context():
            db.session.remove()
        db.session = original
        _forget_live_documents(app)
        outer.rollback()
        connection.close()


def _forget_live_documents(app):
    """Rooms and matchers cache what the database held; after the test's rollback that is no longer true."""
    from workspace.documents.live import LiveDocuments
    from workspace.glossary import reading
    app.extensions["convene_documents"] = LiveDocuments(app)
    reading.clear_cache()


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def sign_in(client, email: str, password: str = "convene-demo", remember: bool = False):
    """Sign in through the real form, CSRF token and all; return the response."""
    page = client.get("/login")
    data = {"csrf_token": csrf_from(page.get_data(as_text=True)), "email": email, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data)


@pytest.fixture
def sign_in_as(app):
    """Return a function giving a test client signed in as the given email."""

    def _sign_in(email: str, **kwargs):
        c = app.test_client()
        response = sign_in(c, email, **kwargs)
        assert response.status_code == 302, response.get_data(as_text=True)
        return c

    return _sign_in


@pytest.fixture
def ctx(app):
    """An app context for calling services directly."""
    with app.app_context():
        yield


def post_form(client, url: str, data: dict | None = None, *, page: str | None = None):
    """POST a form with a fresh CSRF token taken from `page` (default: the home page)."""
    html = client.get(page or "/").get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_from(html), **(data or {})})
