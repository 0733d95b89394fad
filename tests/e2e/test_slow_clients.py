"""Slowloris against the real server: slow and idle clients are cut, real requests still answered.

The stack runs with short limits so the test is quick; the waits below are upper bounds on how
long a test may hang if a limit is broken, never measured latencies.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.offline.local_stack import LocalStack
from tests.e2e.support.stacks import start_hardening_stack

GUARD = 20.0  # seconds before a broken limit fails the test instead of hanging it
REQUEST_HEAD = (
    b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: application/x-www-form-urlencoded\r\n"
)


async def _limited_stack(**limits: float) -> LocalStack:
    return await start_hardening_stack(
        **{f"server_{name}": value for name, value in limits.items()}  # type: ignore[arg-type]
    )


@pytest.fixture
async def tight() -> AsyncIterator[LocalStack]:
    """Header and body timeouts of half a second, a cap of 20 connections, long keep-alive."""
    stack = await _limited_stack(
        header_timeout=0.5, body_timeout=0.5, keepalive_timeout=60, max_connections=20
    )
    try:
        yield stack
    finally:
        await stack.close()


async def _connect(stack: LocalStack) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    port = int(stack.bot_url.rsplit(":", 1)[1])
    return await asyncio.open_connection("127.0.0.1", port)


async def _trickle(writer: asyncio.StreamWriter, data: bytes, pause: float = 0.05) -> None:
    """Send `data` one byte at a time, then keep sending header bytes forever (a slowloris)."""
    try:
        for byte in data:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(pause)
        while True:
            writer.write(b"X")
            await writer.drain()
            await asyncio.sleep(pause)
    except (ConnectionError, OSError):
        return  # the server cut us: what the test wants


async def _closed_by_server(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sent until it closed the connection."""
    try:
        return await reader.read()
    except (ConnectionError, OSError):
        return b""


async def test_headers_sent_byte_by_byte_are_cut(tight):
    reader, writer = await _connect(tight)
    trickling = asyncio.create_task(_trickle(writer, REQUEST_HEAD))
    answer = await asyncio.wait_for(_closed_by_server(reader), GUARD)
    trickling.cancel()
    writer.close()
    assert b"200" not in answer  # cut, not served
    assert not tight.standin.state.requests and not tight.sandbox.state.calls


async def test_a_body_that_never_finishes_gets_408(tight):
    reader, writer = await _connect(tight)
    body = b"command=%2Fearnings&text="
    writer.write(REQUEST_HEAD + b"Content-Length: 4000\r\n\r\n" + body)
    await writer.drain()
    answer = await asyncio.wait_for(_closed_by_server(reader), GUARD)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"request body timeout" in answer


async def test_real_requests_are_answered_while_three_times_the_cap_of_slow_clients_connect(tight):
    slow: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, asyncio.Task[None]]] = []
    for _ in range(60):
        reader, writer = await _connect(tight)
        slow.append((reader, writer, asyncio.create_task(_trickle(writer, REQUEST_HEAD, pause=0.2))))
    results = await asyncio.wait_for(
        asyncio.gather(*(tight.driver.command("/earnings", user_id="U_PARTNER") for _ in range(10))), GUARD
    )
    assert [r.status for r in results] == [200] * 10
    for result in results:
        post = await tight.standin.state.wait_for_response(result.response_url, timeout=5)
        assert "Balance" in str(post.payload)
    # Every slow client was cut (by the cap's eviction or the header deadline).
    answers = await asyncio.wait_for(asyncio.gather(*(_closed_by_server(r) for r, _, _ in slow)), GUARD)
    assert all(b"200 OK" not in a for a in answers)
    for _, writer, task in slow:
        task.cancel()
        writer.close()


async def test_an_idle_keep_alive_connection_is_closed():
    stack = await _limited_stack(header_timeout=5, keepalive_timeout=0.5)
    try:
        reader, writer = await _connect(stack)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: bot\r\n\r\n")
        await writer.drain()
        answer = await asyncio.wait_for(_closed_by_server(reader), GUARD)
        writer.close()
        # Served first (keep-alive), then closed for idling.
        assert answer.startswith(b"HTTP/1.1 200") and b'"status": "ok"' in answer
    finally:
        await stack.close()


async def test_a_kept_alive_connection_serves_a_second_request_whose_headers_come_in_time(tight):
    reader, writer = await _connect(tight)
    for _ in range(2):
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: bot\r\n\r\n")
        await writer.drain()
        status = await asyncio.wait_for(reader.readline(), GUARD)
        assert status.startswith(b"HTTP/1.1 200")
        headers = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), GUARD)
        length = int(
            next(h for h in headers.split(b"\r\n") if h.lower().startswith(b"content-length")).split(b":")[1]
        )
        await reader.readexactly(length)
    writer.close()
