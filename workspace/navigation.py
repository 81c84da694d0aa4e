"""Where to send someone after signing in: only back to a page of ours."""
from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    if not target:
        return None
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):  # a Location header cannot hold them
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target
