"""A time-to-live cache whose concurrent misses share one load (single flight), refreshed ahead.

While a value is being read, it is reloaded in the background shortly before it expires, so a steady
stream of readers keeps finding it fresh and never waits for the load. Nobody reading means nothing
is reloaded: an idle process makes no calls. The cache is per process on purpose (docs/bench.md,
"Caching across replicas"): each entry is only ever served within `ttl` of its own load, whichever
replica made it, so replicas need no shared state to keep that promise.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")
Load = Callable[[], Awaitable[T]]

log = logging.getLogger(__name__)

REFRESH_AHEAD_SHARE = 0.2  # of the ttl: the last fifth of a value's life starts its reload …
REFRESH_AHEAD_MAX = 5.0  # … but at most this many seconds before it expires


def default_refresh_ahead(ttl: float) -> float:
    """Long enough for a normal API call to finish before expiry, short enough not to reload often."""
    return min(ttl * REFRESH_AHEAD_SHARE, REFRESH_AHEAD_MAX)


@dataclass
class Cached(Generic[T]):
    """A cached value and when it was loaded (on the cache's clock)."""

    value: T
    loaded_at: float
    refresh_started: bool = field(default=False, repr=False)


class SingleFlightCache(Generic[T]):
    """Keeps each value for `ttl` seconds; callers arriving during a load await that same load.

    A read within `refresh_ahead` seconds of expiry starts one background reload (at most one per
    loaded value, and never two loads of a key at once), using the loader the last `get` gave.
    Failures are not cached: a failed reload leaves the current value until it expires, and the next
    caller after that starts a new load (and sees the error if it fails again).
    """

    def __init__(
        self,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
        *,
        refresh_ahead: float | None = None,
    ):
        self.ttl = ttl
        self.refresh_ahead = default_refresh_ahead(ttl) if refresh_ahead is None else refresh_ahead
        self._clock = clock
        self._values: dict[Hashable, Cached[T]] = {}
        self._inflight: dict[Hashable, asyncio.Future[T]] = {}
        self._loaders: dict[Hashable, Load[T]] = {}
        self.loads = 0
        self.background_loads = 0

    def entry(self, key: Hashable) -> Cached[T] | None:
        """The fresh cached entry, or None; never waits (it may start a background reload)."""
        entry = self._values.get(key)
        if entry is None:
            return None
        age = self._clock() - entry.loaded_at
        if age >= self.ttl:
            return None
        if age >= self.ttl - self.refresh_ahead and not entry.refresh_started:
            self._refresh(key, entry)
        return entry

    def peek(self, key: Hashable) -> T | None:
        """The fresh cached value, or None; never waits."""
        entry = self.entry(key)
        return entry.value if entry is not None else None

    def age(self, entry: Cached[T]) -> float:
        """Seconds since `entry` was loaded."""
        return max(0.0, self._clock() - entry.loaded_at)

    def loading(self, key: Hashable) -> bool:
        """Whether a load of `key` is in flight (foreground or background)."""
        return key in self._inflight

    async def get(self, key: Hashable, load: Load[T]) -> T:
        self._loaders[key] = load
        cached = self.entry(key)
        if cached is not None:
            return cached.value
        # shield: one caller giving up (timeout, cancelled request) must not cancel the shared load.
        return await asyncio.shield(self._start(key, load))

    def invalidate(self, key: Hashable | None = None) -> None:
        if key is None:
            self._values.clear()
        else:
            self._values.pop(key, None)

    def _start(self, key: Hashable, load: Load[T]) -> asyncio.Future[T]:
        future = self._inflight.get(key)
        if future is None:
            future = asyncio.ensure_future(self._load(key, load))
            self._inflight[key] = future
        return future

    def _refresh(self, key: Hashable, entry: Cached[T]) -> None:
        load = self._loaders.get(key)
        if load is None or key in self._inflight:
            return
        entry.refresh_started = True  # one attempt per loaded value: a failing API is not hammered
        self.background_loads += 1
        self._start(key, load).add_done_callback(_log_failure)

    async def _load(self, key: Hashable, load: Load[T]) -> T:
        self.loads += 1
        try:
            value = await load()
            self._values[key] = Cached(value, self._clock())
            return value
        finally:
            del self._inflight[key]


def _log_failure(future: asyncio.Future[object]) -> None:
    # A background reload nobody awaits: its error would otherwise be "never retrieved" noise.
    if not future.cancelled() and (error := future.exception()) is not None:
        log.warning("background refresh failed (the cached value stays until it expires): %r", error)
