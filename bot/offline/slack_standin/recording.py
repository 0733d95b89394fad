"""What the stand-in received: Web API calls and response_url posts, and waiting for them.

``notify`` wakes every ``wait_for``; the other parts call it after any change a test may wait on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

JsonDict = dict[str, Any]


@dataclass
class RecordedRequest:
    """One Web API call as the stand-in received it."""

    method: str
    args: JsonDict  # merged query + body; blocks/view/attachments decoded from JSON strings
    body: str
    headers: dict[str, str]  # without Authorization
    time: float  # wall clock (time.time())
    http_method: str = "POST"
    status: int = 200
    response: JsonDict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))

    @property
    def error(self) -> str | None:
        return self.response.get("error")


@dataclass
class ResponsePost:
    """One POST to a response_url (accepted or rejected)."""

    url_id: str
    payload: JsonDict
    time: float
    status: int
    answer: str

    @property
    def accepted(self) -> bool:
        return self.status == 200


class Recorder:
    """Recorded requests and response_url posts, and the ``wait_for`` helpers over them."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.responses: dict[str, list[ResponsePost]] = {}
        self._waiters: set[asyncio.Event] = set()

    def record(self, request: RecordedRequest) -> None:
        self.requests.append(request)
        self.notify()

    def record_response(self, post: ResponsePost) -> None:
        self.responses.setdefault(post.url_id, []).append(post)
        self.notify()

    def notify(self) -> None:
        """Wake every ``wait_for`` so it re-checks its predicate."""
        for event in self._waiters:
            event.set()

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked on every recorded request); return it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        event = asyncio.Event()
        self._waiters.add(event)
        try:
            while True:
                event.clear()
                result = predicate()
                if result:
                    return result
                remaining = deadline - loop.time()
                if remaining <= 0:
                    seen = [r.method for r in self.requests[-20:]]
                    raise TimeoutError(f"condition not met within {timeout}s; last requests: {seen}")
                try:
                    await asyncio.wait_for(event.wait(), remaining)
                except TimeoutError:
                    continue
        finally:
            self._waiters.discard(event)

    async def wait_for_call(self, method: str, timeout: float = 5.0, count: int = 1) -> RecordedRequest:
        """Wait until ``method`` was called ``count`` times; return the ``count``-th call."""
        calls = await self.wait_for(lambda: len(self.calls(method)) >= count and self.calls(method), timeout)
        return calls[count - 1]

    async def wait_for_response(self, response_url: str, timeout: float = 5.0) -> ResponsePost:
        """Wait for the first accepted post to ``response_url`` (URL or id)."""
        posts = await self.wait_for(lambda: self.response_posts(response_url), timeout)
        return posts[0]

    def calls(self, method: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method]

    def response_posts(self, response_url: str, *, include_rejected: bool = False) -> list[ResponsePost]:
        url_id = response_url.rstrip("/").rsplit("/", 1)[-1]
        posts = self.responses.get(url_id, [])
        return posts if include_rejected else [p for p in posts if p.accepted]
