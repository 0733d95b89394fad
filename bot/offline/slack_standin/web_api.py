"""aiohttp application serving the stand-in Slack Web API and response URLs."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from bot.offline.slack_standin.files import upload_handler
from bot.offline.slack_standin.state import RecordedRequest, StandinOptions, StandinState

STANDIN_STATE: web.AppKey[StandinState] = web.AppKey("standin_state", StandinState)

# Fields Slack accepts as JSON-encoded strings inside form bodies.
_JSON_FIELDS = ("blocks", "attachments", "view", "metadata")


async def _parse_args(request: web.Request, raw: bytes) -> dict[str, Any]:
    args: dict[str, Any] = dict(request.query)
    content_type = request.content_type
    if content_type == "application/json":
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        if isinstance(body, dict):
            args.update(body)
    elif content_type == "multipart/form-data":
        form = await request.post()
        for key, value in form.items():
            args[key] = value if isinstance(value, str) else getattr(value, "filename", "file")
    elif raw:
        args.update(parse_qsl(raw.decode("utf-8", errors="replace"), keep_blank_values=True))
    for key in _JSON_FIELDS:
        value = args.get(key)
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            try:
                args[key] = json.loads(value)
            except ValueError:
                pass
    return args


def _token(request: web.Request, args: dict[str, Any]) -> str | None:
    token = args.pop("token", None)
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        token = auth[7:].strip()
    return token


async def _api_handler(request: web.Request) -> web.Response:
    state = request.app[STANDIN_STATE]
    method = request.match_info["method"]
    raw = await request.read()
    args = await _parse_args(request, raw)
    token = _token(request, args)
    received = time.time()
    pause = state.delay_for(method)
    if pause > 0:
        await asyncio.sleep(pause)
    result = state.dispatch(method, args, token)
    headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
    state.record(
        RecordedRequest(
            method=method,
            args=args,
            body=raw.decode("utf-8", errors="replace"),
            headers=headers,
            time=received,
            http_method=request.method,
            status=result.status,
            response=result.body,
        )
    )
    return web.json_response(result.body, status=result.status, headers=result.headers)


async def _response_url_handler(request: web.Request) -> web.Response:
    state = request.app[STANDIN_STATE]
    try:
        payload = await request.json()
    except ValueError:
        return web.Response(status=400, text="invalid_payload")
    if not isinstance(payload, dict):
        return web.Response(status=400, text="invalid_payload")
    post = state.post_response(request.match_info["url_id"], payload)
    return web.Response(status=post.status, text=post.answer)


async def _socket_mode_handler(request: web.Request) -> web.StreamResponse:
    return await request.app[STANDIN_STATE].socket.serve(request)


async def _close_sockets(app: web.Application) -> None:
    await app[STANDIN_STATE].socket.close_all()


@web.middleware
async def _learn_base_url(request: web.Request, handler: Any) -> web.StreamResponse:
    state = request.app[STANDIN_STATE]
    if not state.base_url:
        state.base_url = f"{request.scheme}://{request.host}"
    return await handler(request)


def create_slack_standin_app(
    options: StandinOptions | None = None, state: StandinState | None = None
) -> web.Application:
    """The stand-in as an aiohttp application; its state is ``app[STANDIN_STATE]``."""
    app = web.Application(middlewares=[_learn_base_url])
    app[STANDIN_STATE] = state or StandinState(options)
    app.router.add_route("*", "/api/{method}", _api_handler)
    app.router.add_post("/response/{url_id}", _response_url_handler)
    app.router.add_post("/upload/{file_id}", upload_handler)
    app.router.add_get("/socket-mode/{ticket}", _socket_mode_handler)
    app.on_shutdown.append(_close_sockets)
    return app


@dataclass
class RunningStandin:
    """A stand-in served on a local port."""

    url: str
    state: StandinState
    runner: web.AppRunner

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    async def close(self) -> None:
        await self.runner.cleanup()

    async def __aenter__(self) -> RunningStandin:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


async def start_slack_standin(
    host: str = "127.0.0.1", port: int = 0, options: StandinOptions | None = None
) -> RunningStandin:
    """Serve a fresh stand-in on ``host:port`` (0 picks a free port)."""
    app = create_slack_standin_app(options)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_port = runner.addresses[0][1]
    url_host = f"[{host}]" if ":" in host else host
    url = f"http://{url_host}:{bound_port}"
    state = app[STANDIN_STATE]
    state.base_url = url
    return RunningStandin(url=url, state=state, runner=runner)
