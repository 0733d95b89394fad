"""The documented example responses (the contract), read from `<repo>/../shared/partners-api-examples`,
and a tiny local server that answers with them so the adapters are tested over real HTTP."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.paths import EXAMPLES

EXAMPLES = EXAMPLES


def example(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text())


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    body: bytes
    headers: dict[str, str]


@dataclass
class ExampleServer:
    url: str
    seen: list[Seen] = field(default_factory=list)


@asynccontextmanager
async def serve(routes: dict[tuple[str, str], tuple[int, Any]]) -> AsyncIterator[ExampleServer]:
    """Answer `(method, path)` with `(status, JSON body or None)`; record every request."""
    server = ExampleServer("")

    async def handler(request: web.Request) -> web.StreamResponse:
        server.seen.append(
            Seen(
                request.method, request.path, dict(request.query), await request.read(), dict(request.headers)
            )
        )
        status, body = routes.get((request.method, request.path), (404, {"error": "no such route"}))
        if isinstance(body, web.StreamResponse):
            return body
        if body is None:
            return web.Response(status=status)
        return web.json_response(body, status=status)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield server
    finally:
        await runner.cleanup()
