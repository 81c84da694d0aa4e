"""Convene: a workspace where communities of practice do concrete joint work across boundaries."""
import logging
import os

from flask import Flask

from workspace.config import load_config


def _async_mode() -> str:
    """gevent when the server patched the standard library for it (gunicorn -k gevent), else threads."""
    try:
        from gevent import monkey
    except ImportError:
        return "threading"
    return "gevent" if monkey.is_module_patched("threading") else "threading"


def create_app(config: dict | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, the one transaction per request, realtime."""
    app = Flask(__name__, instance_path=os.environ.get("CONVENE_INSTANCE_PATH") or None,
                instance_relative_config=True, template_folder="../templates", static_folder="../static")
    app.config.update(load_config(app.instance_path, config))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    from workspace import errors, sanitize, transaction
    from workspace.extensions import csrf, db, limiter, login_manager, migrate, socketio
    from workspace.database import configure_sqlite

    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    # async_handlers=False: one socket's events are handled one after another, in the order sent.
    # Otherwise each event gets its own thread, a client's Yjs updates are stored, applied and relayed
    # out of order, and pycrdt 0.14 silently drops an insert when two updates of one client arrive
    # before the one they follow (tests/unit/test_document_protocol.py shows it): acknowledged text
    # would be missing from the stored log and every snapshot folded from it.
    socketio.init_app(app, message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"],
                      channel=app.config.get("SOCKETIO_CHANNEL", "flask-socketio"), async_mode=_async_mode(),
                      max_http_buffer_size=app.config.get("SOCKETIO_MAX_MESSAGE_BYTES", 1_000_000),
                      async_handlers=False)

    errors.register(app)
    sanitize.register(app)
    transaction.register(app)
    # Issue 8 (editor): bundles by content-hashed name, precompressed, cached (asset_url in templates).
    from workspace import assets
    assets.register(app)

    from workspace.accounts import auth
    auth.register(app)

    from workspace import pages
    from workspace.accounts.routes import bp as accounts_bp
    from workspace.api import bp as api_bp
    from workspace.communities.routes import bp as communities_bp
    from workspace.documents import live as live_documents
    from workspace.documents.routes import bp as documents_bp
    from workspace.glossary.routes import bp as glossary_bp
    from workspace.spaces.routes import bp as spaces_bp
    from workspace.boards.routes import bp as boards_bp
    from workspace.notices import routes as notices
    from workspace.comments.routes import bp as comments_bp  # comments (issue 9)

    app.register_blueprint(pages.bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(communities_bp)
    app.register_blueprint(spaces_bp)
    app.register_blueprint(documents_bp)
    live_documents.init_app(app)
    app.register_blueprint(glossary_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(boards_bp)
    app.register_blueprint(notices.bp)
    notices.register(app)
    app.register_blueprint(comments_bp)  # comments (issue 9)
    from workspace.comments import routes as comment_routes  # comments (issue 9)
    comment_routes.register(app)  # comments (issue 9)

    from workspace.moderation import routes as moderation_routes  # moderation (issue 10)
    app.register_blueprint(moderation_routes.bp)  # moderation (issue 10)
    moderation_routes.register(app)  # moderation (issue 10)

    from workspace import cli
    cli.register(app)

    import realtime
    realtime.register(socketio)

    # --- issue 12: security headers, request ids, health checks, sessions, personal data ---
    _register_defence_in_depth(app)
    # --- issue 11: breakthrough activities (template files are checked here: a bad one stops start-up) ---
    from workspace.activities import library as activity_library
    from workspace.activities.routes import bp as activities_bp
    activity_library.register(app)
    app.register_blueprint(activities_bp)
    return app


def _register_defence_in_depth(app: Flask) -> None:
    """Headers and CSP on every response, one-line logs with request ids, operations endpoints."""
    from workspace import backup, operations, request_log, security_headers
    from workspace.accounts import session_routes, sessions

    request_log.register(app)
    security_headers.register(app)
    app.register_blueprint(operations.bp)
    sessions.register(app)
    app.register_blueprint(session_routes.bp)
    backup.register_commands(app)
    from workspace.privacy import routes as privacy_routes
    app.register_blueprint(privacy_routes.bp)
    proxies = int(app.config.get("TRUSTED_PROXY_COUNT") or 0)
    if proxies:
        # Behind a reverse proxy: trust its X-Forwarded-* so scheme (wss, HSTS) and addresses are right.
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
