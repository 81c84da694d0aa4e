"""How sign-in is throttled: failures only, per address (generous) and per account (strict).

A team behind one outgoing address signs in together at the start of a meeting: successful
sign-ins never count, and one person's typos never lock out colleagues. Guessing one account's
password is what the strict per-account limit stops, whatever address the guesses come from.
"""
from flask import current_app, request
from flask_limiter.util import get_remote_address

from workspace.extensions import limiter


def _account_key() -> str:
    """The account a sign-in attempt names (folded as accounts are found), or a shared key for none."""
    email = (request.form.get("email") or "").strip().lower()
    return f"account:{email or '-'}"


def _failed(response) -> bool:
    """A password was checked and refused (the form came back as 422).

    Not a success (302), and not an attempt refused by a limit (429): waiting out a limit must
    not use up the allowance of the colleagues behind the same address.
    """
    return response.status_code == 422


def sign_in_limits(view):
    """Limit failed sign-ins per address and per account; successful ones cost nothing."""
    per_address = limiter.limit(lambda: current_app.config["SIGN_IN_FAILURES_PER_ADDRESS"],
                                key_func=get_remote_address, methods=["POST"], deduct_when=_failed,
                                scope="sign-in-address")
    per_account = limiter.limit(lambda: current_app.config["SIGN_IN_FAILURES_PER_ACCOUNT"],
                                key_func=_account_key, methods=["POST"], deduct_when=_failed,
                                scope="sign-in-account")
    return per_address(per_account(view))
