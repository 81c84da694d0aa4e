"""Fractional order keys: always a key between two neighbours, short in the common cases."""
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workspace.boards.ordering import DIGITS, is_valid_key, key_between, needs_rebalance, spread

keys = st.text(alphabet=DIGITS, min_size=1, max_size=12).filter(lambda k: not k.endswith("0"))


def test_first_key_is_in_the_middle():
    assert key_between(None, None) == "V"


@given(keys, keys)
def test_a_key_fits_between_any_two_distinct_keys(a, b):
    if a == b:
        return
    low, high = sorted((a, b))
    middle = key_between(low, high)
    assert low < middle < high
    assert is_valid_key(middle)


@given(keys)
def test_keys_before_and_after_any_key(key):
    before, after = key_between(None, key), key_between(key, None)
    assert before < key < after
    assert is_valid_key(before) and is_valid_key(after)


def test_appending_a_thousand_cards_keeps_keys_short():
    last, seen = None, []
    for _ in range(1000):
        last = key_between(last, None)
        seen.append(last)
    assert seen == sorted(seen) and len(set(seen)) == 1000
    assert max(map(len, seen)) <= 20


def test_prepending_a_thousand_cards_keeps_keys_short():
    first, seen = None, []
    for _ in range(1000):
        first = key_between(None, first)
        seen.append(first)
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 1000
    assert max(map(len, seen)) <= 20


@settings(max_examples=30)
@given(st.integers(min_value=0, max_value=2**32))
def test_random_inserts_keep_a_consistent_order(seed):
    rng = random.Random(seed)
    order = []
    for _ in range(200):
        i = rng.randint(0, len(order))
        order.insert(i, key_between(order[i - 1] if i else None, order[i] if i < len(order) else None))
    assert order == sorted(order) and len(set(order)) == len(order)


def test_repeated_inserts_in_one_gap_eventually_ask_for_a_rebalance():
    low, high = "V", "W"
    for _ in range(500):
        high = key_between(low, high)
    assert needs_rebalance(high)


@pytest.mark.parametrize("count", [0, 1, 2, 61, 62, 1000, 5000])
def test_spread_gives_evenly_spaced_ascending_keys(count):
    result = spread(count)
    assert len(result) == count == len(set(result))
    assert result == sorted(result) and all(map(is_valid_key, result))
    assert all(len(k) <= 3 for k in result)


def test_spread_between_bounds():
    result = spread(5, "A", "B")
    assert "A" < result[0] and result[-1] < "B" and result == sorted(result)


@pytest.mark.parametrize("low,high", [("B", "A"), ("A", "A"), ("A0", "B"), ("", None), ("a-b", None)])
def test_bad_bounds_are_refused(low, high):
    with pytest.raises(ValueError):
        key_between(low, high)
