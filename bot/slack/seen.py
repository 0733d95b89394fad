"""The process's memory of Slack requests already received, so a retry of one is not run again."""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable

TTL_SECONDS = 15 * 60.0  # Slack retries within minutes; keep keys a while longer.
MAX_KEYS = 20_000  # bounds memory under a flood of distinct requests


class SeenRequests:
    """Keys seen in the last `ttl` seconds, oldest first; `seen_before(key)` also records the key."""

    def __init__(
        self,
        ttl: float = TTL_SECONDS,
        max_keys: int = MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.ttl = ttl
        self.max_keys = max_keys
        self.clock = clock
        # 16-byte digests, not the keys: 20,000 long trigger ids / URLs would cost megabytes.
        self._seen: OrderedDict[bytes, float] = OrderedDict()

    def seen_before(self, key: str) -> bool:
        now = self.clock()
        digest = hashlib.blake2b(key.encode(), digest_size=16).digest()
        while self._seen:
            at = next(iter(self._seen.values()))
            if now - at <= self.ttl and len(self._seen) < self.max_keys:
                break
            self._seen.popitem(last=False)
        if digest in self._seen:
            return True
        self._seen[digest] = now
        return False

    def forget(self) -> None:
        """Drop every key, as a fresh replica would have none (used to simulate another replica)."""
        self._seen.clear()
