"""One transaction per request: commit once when the response is a success, roll back otherwise."""

from workspace.extensions import db

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def register(app) -> None:
    @app.after_request
    def _commit(response):
        # Events queued by services are delivered by the session's after_commit hook (events.py).
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response

    @app.teardown_request
    def _rollback(exc):
        if exc is not None:
            db.session.rollback()
