"""How a request proves who it is: a server-side session cookie, or a personal API token."""
from flask import g, redirect, request, url_for
from flask_login import current_user

from workspace.accounts import services
from workspace.errors import problem
from workspace.extensions import csrf, login_manager


def bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def register(app) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def _load_from_session(token: str):
        return services.user_for_login_token(token)

    @login_manager.request_loader
    def _load_from_bearer(req):
        if not req.path.startswith("/api/"):
            return None
        token = services.api_token_for(bearer_secret())
        if token is None:
            return None
        g.api_token = token
        return token.user

    @login_manager.unauthorized_handler
    def _unauthorized():
        if request.path.startswith("/api/"):
            detail = ("The API token is unknown or revoked." if request.headers.get("Authorization")
                      else "Send 'Authorization: Bearer TOKEN' with a personal API token.")
            return problem(401, "Authentication required", detail)
        return redirect(url_for("accounts.login", next=request.full_path if request.query_string else request.path))

    @app.before_request
    def _csrf_for_cookie_api_calls():
        # The API is exempt from form CSRF so token clients work, but a browser calling it with
        # its session cookie must still prove same-origin intent with the CSRF header.
        if request.path.startswith("/api/") and request.method not in ("GET", "HEAD", "OPTIONS"):
            if bearer_secret() is None and current_user.is_authenticated:
                csrf.protect()

    @app.context_processor
    def _inject_policy():
        from workspace import policy
        return {"policy": policy}
