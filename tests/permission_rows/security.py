"""Permission rows for issue 12: operations endpoints, one's own sessions and one's own data."""
from tests.permission_rows.actors import ALL

TABLE = {
    ("operations.healthz", "GET"): ("/healthz", ALL),
    ("operations.readyz", "GET"): ("/readyz", ALL),
    # Browsers post violation reports without cookies or CSRF tokens: anyone may, rate-limited.
    ("operations.report_csp_violation", "POST"): ("/csp-reports", ALL),
}


def build() -> dict:
    return {}
