"""Single-flight cache with refresh ahead, on a hand-moved clock (no sleeps)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest

from bot.clock import ManualClock
from bot.partners.cache import SingleFlightCache, default_refresh_ahead


class Api:
    """A loader that counts calls; `gate` (when set) holds every call until it is opened."""

    def __init__(self) -> None:
        self.calls = 0
        self.fail = False
        self.gate: asyncio.Event | None = None

    async def load(self) -> int:
        self.calls += 1
        call = self.calls
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            raise RuntimeError("API down")
        return call


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 1, 1, 9, 0, tzinfo=UTC))


def cache_on(clock: ManualClock, ttl: float = 30.0, **kwargs: float) -> SingleFlightCache[int]:
    return SingleFlightCache(ttl, clock=lambda: clock.now().timestamp(), **kwargs)


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_default_window_is_a_fifth_of_the_ttl_at_most_five_seconds():
    assert default_refresh_ahead(3.0) == pytest.approx(0.6)
    assert default_refresh_ahead(30.0) == 5.0
    assert default_refresh_ahead(0.0) == 0.0


async def test_steady_load_makes_one_call_per_window_and_no_reader_waits(clock):
    api = Api()
    cache = cache_on(clock, ttl=30.0)  # refresh window 5 s: a value is reloaded once it is 25 s old
    assert await cache.get("k", api.load) == 1
    missed = 0
    for _ in range(1, 600):  # a reader every 0.5 s for five minutes
        clock.advance(seconds=0.5)
        if cache.entry("k") is None:
            missed += 1
        await cache.get("k", api.load)
        await settle()  # the background reload (if one started) completes
    assert missed == 0
    # The first load at 0 s, then one reload per 25 s window: at 25, 50, …, 275 s.
    assert api.calls == 1 + 11
    assert cache.background_loads == 11


async def test_no_reads_no_calls_and_an_expired_value_is_loaded_in_the_foreground(clock):
    api = Api()
    cache = cache_on(clock)
    await cache.get("k", api.load)
    clock.advance(minutes=10)
    await settle()
    assert api.calls == 1  # idle: nothing refreshed
    assert cache.entry("k") is None
    assert await cache.get("k", api.load) == 2
    assert cache.background_loads == 0


async def test_readers_during_a_reload_get_the_cached_value_and_share_one_call(clock):
    api = Api()
    cache = cache_on(clock)
    await cache.get("k", api.load)
    api.gate = asyncio.Event()
    clock.advance(seconds=26)
    results = await asyncio.gather(*(cache.get("k", api.load) for _ in range(50)))
    assert results == [1] * 50  # nobody waited for the reload
    await settle()
    assert api.calls == 2
    api.gate.set()
    await settle()
    assert cache.peek("k") == 2


async def test_reader_after_expiry_joins_the_reload_in_flight(clock):
    api = Api()
    cache = cache_on(clock)
    await cache.get("k", api.load)
    api.gate = asyncio.Event()
    clock.advance(seconds=26)
    cache.entry("k")  # starts the reload
    clock.advance(seconds=5)  # expired while the reload is still running
    waiting = asyncio.ensure_future(cache.get("k", api.load))
    await settle()
    assert not waiting.done()
    api.gate.set()
    assert await waiting == 2
    assert api.calls == 2


async def test_failed_reload_is_tried_once_per_value_and_keeps_the_old_one(clock, caplog):
    api = Api()
    cache = cache_on(clock)
    await cache.get("k", api.load)
    api.fail = True
    clock.advance(seconds=26)
    with caplog.at_level(logging.WARNING, logger="bot.partners.cache"):
        for _ in range(10):
            assert await cache.get("k", api.load) == 1
            await settle()
    assert api.calls == 2  # one background attempt, not one per read
    assert "background refresh failed" in caplog.text
    clock.advance(seconds=5)
    with pytest.raises(RuntimeError, match="API down"):
        await cache.get("k", api.load)  # expired: the caller sees the failure (the loader's own)
    api.fail = False
    assert await cache.get("k", api.load) == 4


async def test_zero_window_never_refreshes_ahead(clock):
    api = Api()
    cache = cache_on(clock, refresh_ahead=0.0)
    await cache.get("k", api.load)
    clock.advance(seconds=29.9)
    await cache.get("k", api.load)
    await settle()
    assert api.calls == 1
