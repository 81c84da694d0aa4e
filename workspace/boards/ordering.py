"""Fractional order keys: a card's place in its column is a string, so one move writes one row.

A key is a base-62 fraction 0.d1d2d3… written as its digits, with no trailing "0", so any two
distinct keys have another key between them. The digits 0-9A-Za-z are in ASCII order, so plain
string comparison (Python's, JavaScript's, bytewise collation) orders keys correctly. Never sort
them with a database's locale collation: sort in Python (or compare in JS) instead.
"""
DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
BASE = len(DIGITS)
_VALUE = {d: i for i, d in enumerate(DIGITS)}
# Past this length a column is rebalanced (see needs_rebalance); keys stay short in practice
# because appends and prepends step one digit rather than halving.
MAX_KEY_LENGTH = 64


def is_valid_key(key) -> bool:
    return (isinstance(key, str) and 0 < len(key) <= 255 and not key.endswith("0")
            and all(c in _VALUE for c in key))


def key_between(before: str | None, after: str | None) -> str:
    """Return a key greater than `before` and less than `after` (None means an open end)."""
    for key in (before, after):
        if key is not None and not is_valid_key(key):
            raise ValueError(f"not an order key: {key!r}")
    if before is not None and after is not None and before >= after:
        raise ValueError(f"{before!r} is not before {after!r}")
    if before is None and after is None:
        return DIGITS[BASE // 2]
    if after is None:
        return _increment(before)
    if before is None:
        return _decrement(after)
    return _midpoint(before, after)


def spread(count: int, before: str | None = None, after: str | None = None) -> list[str]:
    """Return `count` ascending keys evenly spaced between two bounds (for seeding and rebalancing)."""
    if count <= 0:
        return []
    width = 1
    while BASE ** width <= count:
        width += 1
    if before is None and after is None:
        step = BASE ** width // (count + 1)
        return [_strip(_digits(step * (i + 1), width)) for i in range(count)]
    keys, low = [], before
    for _ in range(count):  # bounded inserts: fine for the small counts this path is used for
        low = key_between(low, after)
        keys.append(low)
    return keys


def needs_rebalance(key: str) -> bool:
    return len(key) > MAX_KEY_LENGTH


def _increment(key: str) -> str:
    """The shortest key after `key`: bump its first digit that can grow, else append a digit."""
    for i, char in enumerate(key):
        if char != DIGITS[-1]:
            return key[:i] + DIGITS[_VALUE[char] + 1]
    return key + DIGITS[1]


def _decrement(key: str) -> str:
    """The shortest key before `key`: lower its first digit above 1, else step down one place."""
    for i, char in enumerate(key):
        if _VALUE[char] > 1:
            return key[:i] + DIGITS[_VALUE[char] - 1]
    return key[:-1] + DIGITS[0] + DIGITS[-1]  # only 0s and a final 1 ("01" -> "00z")


def _midpoint(low: str, high: str | None) -> str:
    """A key strictly between `low` ("" is zero) and `high` (None is one)."""
    if high is not None:
        common = 0
        while common < len(high) and (low[common] if common < len(low) else "0") == high[common]:
            common += 1
        if common:
            return high[:common] + _midpoint(low[common:], high[common:])
    low_digit = _VALUE[low[0]] if low else 0
    high_digit = _VALUE[high[0]] if high is not None else BASE
    if high_digit - low_digit > 1:
        return DIGITS[(low_digit + high_digit) // 2]
    if high is not None and len(high) > 1:
        return high[0]
    return DIGITS[low_digit] + _midpoint(low[1:], None)


def _digits(value: int, width: int) -> str:
    out = []
    for _ in range(width):
        value, rest = divmod(value, BASE)
        out.append(DIGITS[rest])
    return "".join(reversed(out))


def _strip(key: str) -> str:
    return key.rstrip("0") or DIGITS[1]
