"""Socket Mode as Slack speaks it, for slack_sdk's real `SocketModeClient`.

`apps.connections.open` (app token) hands out a one-time `ws://…/socket-mode/<ticket>` URL; on
connect the stand-in says `hello`; tests push envelopes with `send()` and get the client's ack
back (`{"envelope_id": …, "payload": …?}`), exactly the frames Slack would exchange. Pings are
answered by aiohttp's autoping, as Slack's servers answer the SDK's `sdk-ping-pong:<t>` pings.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

JsonDict = dict[str, Any]

ENVELOPE_TYPES = ("slash_commands", "interactive", "events_api")
# Slack only lets these answer with a payload in the ack (response_action, options, a message).
_RESPONSE_PAYLOAD_INTERACTIONS = {"view_submission", "block_suggestion"}


@dataclass
class SocketEnvelope:
    """One envelope sent to the app, and the ack it answered with (if it did)."""

    envelope_id: str
    type: str
    payload: JsonDict
    sent: float  # wall clock
    ack: JsonDict | None = None
    acked: float | None = None


class SocketModeHub:
    """Tickets, live WebSocket connections and envelopes waiting for their ack."""

    def __init__(self, notify: Callable[[], None], app_id: str) -> None:
        self._notify = notify
        self._app_id = app_id
        self._tickets: dict[str, bool] = {}  # ticket -> used
        self._connections: list[web.WebSocketResponse] = []
        self._pending: dict[str, asyncio.Future[JsonDict]] = {}
        self.envelopes: list[SocketEnvelope] = []
        self.frames: list[JsonDict] = []  # every JSON frame the app sent, in order
        self.connections_accepted = 0

    # ----------------------------------------------------------------- connections
    def issue_url(self, base_url: str) -> str:
        """A one-time WebSocket URL, as `apps.connections.open` returns (Slack's are single use too)."""
        ticket = secrets.token_hex(12)
        self._tickets[ticket] = False
        ws_base = "ws" + base_url[len("http") :] if base_url.startswith("http") else base_url
        return f"{ws_base}/socket-mode/{ticket}"

    @property
    def connected(self) -> int:
        return sum(1 for ws in self._connections if not ws.closed)

    async def serve(self, request: web.Request) -> web.StreamResponse:
        """The WebSocket endpoint: refuse unknown/used tickets, say hello, collect acks until close."""
        ticket = request.match_info["ticket"]
        if self._tickets.get(ticket) is not False:
            return web.Response(status=401, text="invalid_ticket")
        self._tickets[ticket] = True
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._connections.append(ws)
        self.connections_accepted += 1
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": self.connected,
                "debug_info": {
                    "host": "applink-standin",
                    "build_number": 1,
                    "approximate_connection_time": 18060,
                },
                "connection_info": {"app_id": self._app_id},
            }
        )
        self._notify()
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._on_text(message.data)
        finally:
            self._connections.remove(ws)
            self._notify()
        return ws

    def _on_text(self, data: str) -> None:
        try:
            frame = json.loads(data)
        except ValueError:
            return
        if not isinstance(frame, dict):
            return
        self.frames.append(frame)
        future = self._pending.get(str(frame.get("envelope_id")))
        if future is not None and not future.done():
            future.set_result(frame)
        self._notify()

    def _live(self) -> web.WebSocketResponse:
        for ws in reversed(self._connections):
            if not ws.closed:
                return ws
        raise RuntimeError("no Socket Mode connection: is the app running `partners-bot socket`?")

    # ----------------------------------------------------------------- envelopes
    async def send(
        self,
        envelope_type: str,
        payload: JsonDict,
        *,
        timeout: float = 3.0,
        accepts_response_payload: bool | None = None,
        retry_attempt: int | None = None,
        retry_reason: str | None = None,
    ) -> JsonDict:
        """Send an envelope to the newest connection and return the app's ack (TimeoutError if none)."""
        if envelope_type not in ENVELOPE_TYPES:
            raise ValueError(f"unknown envelope type {envelope_type!r}; expected one of {ENVELOPE_TYPES}")
        if accepts_response_payload is None:
            accepts_response_payload = envelope_type == "slash_commands" or (
                envelope_type == "interactive" and payload.get("type") in _RESPONSE_PAYLOAD_INTERACTIONS
            )
        ws = self._live()
        envelope_id = f"{secrets.token_hex(4)}-{secrets.token_hex(2)}-{secrets.token_hex(6)}"
        frame: JsonDict = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if envelope_type == "events_api":
            frame["retry_attempt"] = retry_attempt or 0
            frame["retry_reason"] = retry_reason or ""
        record = SocketEnvelope(envelope_id, envelope_type, payload, time.time())
        self.envelopes.append(record)
        future: asyncio.Future[JsonDict] = asyncio.get_running_loop().create_future()
        self._pending[envelope_id] = future
        try:
            await ws.send_json(frame)
            ack = await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"{envelope_type} envelope {envelope_id} not acked within {timeout}s"
            ) from None
        finally:
            self._pending.pop(envelope_id, None)
        record.ack, record.acked = ack, time.time()
        return ack

    async def disconnect(self, reason: str = "refresh_requested") -> int:
        """Ask every connection to reconnect, as Slack does before it rotates a server; return how many."""
        live = [ws for ws in self._connections if not ws.closed]
        for ws in live:
            await ws.send_json(
                {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-standin"}}
            )
        return len(live)

    async def close_all(self) -> None:
        """Close every connection (server shutdown), so the server does not wait on open sockets."""
        for ws in list(self._connections):
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown")
