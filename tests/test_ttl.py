"""The few-seconds memory of hot lookups forgets on time and on demand."""

from __future__ import annotations

import time

from traffpunkt.ttl import TTLCache


def test_entries_expire_and_clear() -> None:
    cache: TTLCache[str, int] = TTLCache(0.05)
    cache.put("door", 1)
    assert cache.get("door") == 1 and cache.get("other") is None
    time.sleep(0.06)
    assert cache.get("door") is None
    cache.put("door", 2)
    cache.clear()
    assert cache.get("door") is None


def test_a_full_cache_starts_over_instead_of_growing() -> None:
    cache: TTLCache[int, int] = TTLCache(60, max_size=3)
    for n in range(4):
        cache.put(n, n)
    assert cache.get(3) == 3 and cache.get(0) is None


def test_a_value_read_before_a_clear_is_not_put_back() -> None:
    """A door token read from the database while it was being revoked must not be remembered."""
    cache: TTLCache[str, str] = TTLCache(60)
    since = cache.generation
    cache.clear()  # the revocation commits while the lookup was under way
    cache.put("door", "not revoked yet", since)
    assert cache.get("door") is None
    cache.put("door", "fresh", cache.generation)
    assert cache.get("door") == "fresh"
