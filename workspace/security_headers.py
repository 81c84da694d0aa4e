"""Security headers on every response: a nonce-based Content-Security-Policy and its friends.

The policy is the second line of defence behind the sanitiser (sanitize.py): if an escaping
mistake ever lets markup through, no script it carries can run and no page can be framed.
See docs/security.md for why each directive is what it is.
"""
import base64
import hashlib
import logging
import secrets

from flask import g, request

log = logging.getLogger("convene.security")

CSP_REPORT_PATH = "/csp-reports"
# Features Convene never uses; a page that asks for them gets nothing.
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope",
    "magnetometer", "microphone", "midi", "payment", "publickey-credentials-get", "usb",
    "screen-wake-lock", "xr-spatial-tracking"))
HSTS = "max-age=31536000; includeSubDomains"
# Headers that do not depend on the request: also added to responses that never pass through
# Flask (Socket.IO's Engine.IO handshake and polling, see BaselineHeaders).
BASELINE = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
}

# The remote-cursor colours of the editor (static/src/document.js CURSOR_COLOURS, checked by a test).
# y-codemirror.next draws remote carets and selections with style="…" attributes; the policy allows
# exactly those attribute values by hash ('unsafe-hashes'), so a peer announcing any other "colour"
# in its awareness state gets no style at all, and no other inline style runs.
CURSOR_COLOURS = ("#1f5f8b", "#8b1f5f", "#5f8b1f", "#8b5f1f", "#1f8b7a", "#5f1f8b")


def _style_attribute_hashes() -> str:
    values = []
    for colour in CURSOR_COLOURS:
        values.append(f"background-color: {colour}; border-color: {colour}")  # a remote caret
        values.append(f"background-color: {colour}33")  # a remote selection
    return " ".join("'sha256-" + base64.b64encode(hashlib.sha256(v.encode()).digest()).decode() + "'"
                    for v in values)


STYLE_ATTRIBUTE_HASHES = _style_attribute_hashes()


def csp_nonce() -> str:
    """This response's nonce: 128 random bits, made once per request on first use."""
    nonce = getattr(g, "csp_nonce", None)
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(16)
    return nonce


def content_security_policy(nonce: str) -> str:
    """The policy for one response.

    Scripts: same-origin bundles (static/dist) or an element carrying this response's nonce;
    never inline handlers, `javascript:` URLs or eval. Styles: our stylesheets, plus the
    `<style>` elements CodeMirror creates, which carry the nonce (EditorView.cspNonce).
    """
    websocket = ("wss://" if request.scheme == "https" else "ws://") + request.host
    directives = {
        "default-src": "'self'",
        "script-src": f"'self' 'nonce-{nonce}'",
        "style-src": f"'self' 'nonce-{nonce}'",
        "style-src-attr": f"'unsafe-hashes' {STYLE_ATTRIBUTE_HASHES}",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": f"'self' {websocket}",
        "object-src": "'none'",
        "base-uri": "'none'",
        "frame-ancestors": "'none'",
        "form-action": "'self'",
        "worker-src": "'self'",
        "manifest-src": "'self'",
        "report-uri": CSP_REPORT_PATH,
        "report-to": "csp",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def apply_headers(response):
    """Add the security headers to a Flask response (keeping any a view set on purpose)."""
    for name, value in BASELINE.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce()))
    response.headers.setdefault("Reporting-Endpoints", f'csp="{CSP_REPORT_PATH}"')
    from flask import current_app
    if current_app.config.get("CONVENE_ENV") == "production":
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if request.endpoint != "static" and "Cache-Control" not in response.headers and _signed_in():
        # A signed-in page holds someone's cases: never keep it in a shared computer's disk cache.
        response.headers["Cache-Control"] = "no-store"
    return response


def _signed_in() -> bool:
    from flask_login import current_user
    try:
        return bool(current_user and current_user.is_authenticated)
    except Exception:  # no user loader context (a failing request): say nothing rather than fail
        return False


class BaselineHeaders:
    """WSGI middleware: the request-independent headers on every response, Socket.IO's included."""

    def __init__(self, wsgi_app, *, production: bool):
        self.wsgi_app = wsgi_app
        self.extra = dict(BASELINE)
        if production:
            self.extra["Strict-Transport-Security"] = HSTS

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            headers = list(headers) + [(k, v) for k, v in self.extra.items() if k.lower() not in present]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)


def register(app) -> None:
    """Install the headers, the `csp_nonce()` Jinja global and the middleware for Socket.IO."""
    app.after_request(apply_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.wsgi_app = BaselineHeaders(app.wsgi_app, production=app.config.get("CONVENE_ENV") == "production")
