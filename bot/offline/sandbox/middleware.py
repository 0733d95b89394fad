"""The sandbox's request pipeline: record, inject faults and latency, authenticate.

Kept apart from the route handlers so the fake APIs stay plain and every route, including 404s,
gets the same instrumentation.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.offline.sandbox.responses import error_response
from bot.offline.sandbox.state import SANDBOX_STATE, Fault, RecordedCall, SandboxState

PARTNERS_PREFIX = "/v2/partners"
RECURLY_TOKEN_PATH = "/js/v1/token"

_SECRET_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
_SECRET_FIELDS = frozenset({"number", "verification_value", "password"})

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _mask(name: str, value: str) -> str:
    """Hide card numbers, CVVs and passwords; keep a card's last four digits for debugging."""
    if name not in _SECRET_FIELDS:
        return value
    if name == "number":
        digits = "".join(ch for ch in value if ch.isdigit())
        return f"****{digits[-4:]}" if len(digits) >= 4 else "****"
    return "***"


async def _json_body(request: web.Request) -> dict[str, Any] | None:
    if not (request.can_read_body and request.content_type == "application/json"):
        return None
    try:
        body = json.loads(await request.text())
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    return {k: _mask(k, v) if isinstance(v, str) else v for k, v in body.items()}


async def _record(state: SandboxState, request: web.Request) -> None:
    """Append the request to ``state.calls`` with secrets removed."""
    body = await _json_body(request)
    form = await request.post() if request.can_read_body and body is None else {}
    state.calls.append(
        RecordedCall(
            method=request.method,
            path=request.path,
            query={k: _mask(k, v) for k, v in request.query.items()},
            form={k: _mask(k, v) for k, v in form.items() if isinstance(v, str)},
            headers={k: v for k, v in request.headers.items() if k.lower() not in _SECRET_HEADERS},
            time=state.now(),
            json=body,
        )
    )


def _fault_response(fault: Fault) -> web.Response:
    """Render an injected failure exactly as configured."""
    status = fault.status or 500
    headers: dict[str, str] = {}
    if fault.retry_after is not None:
        seconds = fault.retry_after
        headers["Retry-After"] = str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"
    if fault.location is not None:
        headers["Location"] = fault.location
    if fault.body is None:
        response = error_response(status, f"Sandbox injected HTTP {status}")
        response.headers.update(headers)
        return response
    if isinstance(fault.body, str):
        payload = fault.body.encode()
    else:
        payload = json.dumps(fault.body).encode()
    headers["Content-Type"] = fault.content_type
    return web.Response(status=status, body=payload, headers=headers)


def _authorized(state: SandboxState, request: web.Request) -> bool:
    """Check ``Authorization: Bearer <token>`` against the configured token (any if None)."""
    scheme, _, presented = request.headers.get("Authorization", "").strip().partition(" ")
    presented = presented.strip()
    if scheme.lower() != "bearer" or not presented:
        return False
    return state.token is None or presented == state.token


@web.middleware
async def sandbox_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Run every request through recording, fault injection, latency and authentication."""
    state = request.app[SANDBOX_STATE]
    await _record(state, request)
    partners = request.path.startswith(PARTNERS_PREFIX)
    fault = state.take_fault(request.method, request.path)
    if fault is not None and fault.status is None:
        await state.sleep(fault.hang)
        fault = None
    if partners:
        await state.sleep(state.latency_for(request.path))
    if fault is not None:
        return _fault_response(fault)
    if partners and not _authorized(state, request):
        return error_response(401, "Invalid or missing bearer token")
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return error_response(404, f"Not found: {request.method} {request.path}")
    except web.HTTPMethodNotAllowed as exc:
        response = error_response(405, f"Method {request.method} not allowed on {request.path}")
        response.headers["Allow"] = ", ".join(sorted(exc.allowed_methods))
        return response
