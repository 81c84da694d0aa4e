"""Common English words, so that words written in capitals ("MUST", "NOT") are not taken for acronyms.

The list ships in data/common-words.txt (SCOWL's common words via Debian's wamerican-small; how it
was filtered is in its header). Loaded once, on first use.
"""
from functools import lru_cache
from pathlib import Path

WORDS_FILE = Path(__file__).parent / "data" / "common-words.txt"


@lru_cache(maxsize=1)
def common_words() -> frozenset:
    lines = WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def is_common_word(word: str) -> bool:
    """True for an ordinary English word in any case: "MUST", "Note", "not"."""
    return word.lower() in common_words()
