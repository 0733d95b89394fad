"""The benchmark's own code: percentiles, the report table, and the load generator against the
baseline Bolt app (so `make bench` cannot rot unnoticed)."""

from __future__ import annotations

import math

import pytest
from aiohttp import web

from bench.baseline_app import build_baseline_app
from bench.loadgen import (
    RunResult,
    Sample,
    closed_loop,
    new_session,
    open_loop,
    percentile,
    screen_times,
    send_one,
    slash_command,
)
from bench.report import Figure, markdown_table
from bot.offline.slack_standin import start_slack_standin

SECRET = "test-bench-secret"


def test_percentile_interpolates_between_ranks() -> None:
    values = [4.0, 1.0, 3.0, 2.0]
    assert percentile(values, 0) == 1.0
    assert percentile(values, 100) == 4.0
    assert percentile(values, 50) == 2.5
    assert percentile(list(range(1, 101)), 99) == pytest.approx(99.01)
    assert percentile([7.0], 99) == 7.0
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError):
        percentile(values, 101)


def test_run_result_counts_slow_failed_and_unanswered_requests() -> None:
    samples = [
        Sample(scheduled=0.0, start=0.0, end=0.010, status=200),
        Sample(scheduled=1.0, start=1.5, end=4.5, status=200),  # 3.5 s after it was due
        Sample(scheduled=2.0, start=2.0, end=2.1, status=401),
        Sample(scheduled=3.0, start=3.0, end=13.0, status=0, error="TimeoutError"),
    ]
    result = RunResult(samples, wall_time=2.0)
    assert result.ok_count == 2
    assert result.throughput == 1.0
    assert result.errors == {"HTTP 401": 1, "TimeoutError": 1}
    assert result.over(3.0) == 2  # the late one and the unanswered one
    assert result.latencies() == pytest.approx([0.010, 3.5, 0.1])
    assert result.send_lag(100) == pytest.approx(0.5)


def test_figures_are_judged_against_their_targets() -> None:
    fast = Figure("s", "ack p99", 30.0, "ms", "<=", 50)
    slow = Figure("s", "ack p99", 80.0, "ms", "<=", 50)
    ratio = Figure("s", "req/s", 900.0, "req/s", ">=", 0.8, baseline=1000.0, target_on="ratio")
    low_ratio = Figure("s", "req/s", 700.0, "req/s", ">=", 0.8, baseline=1000.0, target_on="ratio")
    missing = Figure("s", "views.open p99", None, note="feature not present")
    assert [f.result for f in (fast, slow, ratio, low_ratio, missing)] == [
        "PASS",
        "MISS",
        "PASS",
        "MISS",
        "n/a",
    ]
    table = markdown_table([slow, ratio, missing])
    lines = table.splitlines()
    assert len(lines) == 5
    assert lines[2].endswith("| MISS |") and "≤ 50 ms" in lines[2]
    assert "0.90×" in lines[3] and "1,000 req/s" in lines[3]
    assert "n/a (feature not present)" in lines[4]


@pytest.fixture
async def baseline_url():
    standin = await start_slack_standin()
    runner = web.AppRunner(build_baseline_app(SECRET, standin.state.options.bot_token, standin.api_url))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    finally:
        await runner.cleanup()
        await standin.close()


def _command(index: int, secret: str = SECRET):
    return slash_command(
        secret, "/earnings", response_url=f"http://127.0.0.1:9/response/{index}", trigger_id=f"t.{index}"
    )


async def test_open_loop_against_the_baseline_app(baseline_url: str) -> None:
    result = await open_loop(baseline_url, [_command(i) for i in range(40)], rate=40.0)
    assert result.count == 40
    assert result.errors == {}
    # Open loop: sends follow the schedule (1 s for 40 at 40/s), not the answers.
    assert 0.9 < result.wall_time < 3.0
    starts = sorted(s.scheduled for s in result.samples)
    assert starts[-1] - starts[0] == pytest.approx(39 / 40)


async def test_closed_loop_and_signature_check(baseline_url: str) -> None:
    result = await closed_loop(baseline_url, _command, concurrency=4, total=30)
    assert result.count == 30 and result.ok_count == 30
    # The baseline really verifies signatures: a request signed with another secret is refused.
    async with new_session() as session:
        refused = await send_one(session, baseline_url, _command(0, secret="wrong-secret"))
    assert refused.status == 401


def test_screen_time_is_the_ack_when_it_carried_the_message_else_the_post() -> None:
    in_ack = Sample(10.0, 10.0, 10.004, 200, tag="u1", in_body=True)
    deferred = Sample(11.0, 11.0, 11.002, 200, tag="u2")
    lost = Sample(12.0, 12.0, 12.002, 200, tag="u3")
    result = RunResult([in_ack, deferred, lost], 3.0, wall_offset=1000.0)
    times = screen_times(result, {"u2": 1011.35, "u3": None})
    assert times[0] == pytest.approx(0.004)
    assert times[1] == pytest.approx(0.35)  # scheduled at wall 1011.0, posted at 1011.35
    assert times[2] is None
    assert result.in_body_count == 1


async def test_send_one_notices_a_message_in_the_answer_body() -> None:
    async def answer(request: web.Request) -> web.Response:
        if request.query.get("blocks"):
            return web.json_response({"text": "x", "blocks": [{"type": "divider"}]})
        return web.Response(text="")

    app = web.Application()
    app.router.add_post("/", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/"
        async with new_session() as session:
            with_blocks = await send_one(session, url + "?blocks=1", _command(0))
            empty = await send_one(session, url, _command(1))
        assert with_blocks.ok and with_blocks.in_body
        assert empty.ok and not empty.in_body
    finally:
        await runner.cleanup()
