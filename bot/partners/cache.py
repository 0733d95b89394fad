"""A time-to-live cache whose concurrent misses share one load (single flight)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class SingleFlightCache(Generic[T]):
    """Keeps each value for `ttl` seconds; callers arriving during a load await that same load.

    Failures are not cached: the next caller after a failed load starts a new one.
    """

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self._clock = clock
        self._values: dict[Hashable, tuple[float, T]] = {}
        self._inflight: dict[Hashable, asyncio.Future[T]] = {}
        self.loads = 0

    def peek(self, key: Hashable) -> T | None:
        """The fresh cached value, or None; never loads."""
        entry = self._values.get(key)
        if entry is not None and self._clock() - entry[0] < self.ttl:
            return entry[1]
        return None

    async def get(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        cached = self.peek(key)
        if cached is not None:
            return cached
        future = self._inflight.get(key)
        if future is None:
            future = asyncio.ensure_future(self._load(key, load))
            self._inflight[key] = future
        # shield: one caller giving up (timeout, cancelled request) must not cancel the shared load.
        return await asyncio.shield(future)

    def invalidate(self, key: Hashable | None = None) -> None:
        if key is None:
            self._values.clear()
        else:
            self._values.pop(key, None)

    async def _load(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        self.loads += 1
        try:
            value = await load()
            self._values[key] = (self._clock(), value)
            return value
        finally:
            del self._inflight[key]
