"""Where the team's shared test data lives (editing traces, naughty strings, XSS corpora).

It sits beside the checkout as ../shared/data; a clone elsewhere (CI) finds it through
CONVENE_SHARED_DATA or the workplace's fixed location.
"""
import os
from pathlib import Path

_CANDIDATES = [
    os.environ.get("CONVENE_SHARED_DATA"),
    Path(__file__).resolve().parents[2] / "shared" / "data",
    "/work/shared/data",
]


def shared_data(*parts: str) -> Path:
    for candidate in _CANDIDATES:
        if candidate and Path(candidate).is_dir():
            return Path(candidate).joinpath(*parts)
    raise FileNotFoundError("shared test data not found: set CONVENE_SHARED_DATA to the shared/data folder")
