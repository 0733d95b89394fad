"""`IdempotencyStore.run`: verdicts that keep a claim `unknown` or give it back, and the re-read of
an `unknown` outcome before anyone may do the work again (what payouts rely on)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.storage import ClaimState, IdempotencyStore
from bot.storage.idempotency import Verdict

START = datetime(2026, 11, 25, 9, tzinfo=UTC)


def store_at(database) -> tuple[IdempotencyStore, ManualClock]:
    clock = ManualClock(START)
    return IdempotencyStore(database, clock), clock


async def never() -> dict:
    raise AssertionError("the work must not run")


async def leave_unknown(store: IdempotencyStore, key: str) -> None:
    async def open_write() -> Verdict:
        return Verdict({"sent": "maybe"}, ClaimState.UNKNOWN)

    ran = await store.run("t", key, open_write)
    assert ran.ours and ran.state == ClaimState.UNKNOWN
    assert (await store.get("t", key)).state == ClaimState.UNKNOWN


async def test_an_unknown_outcome_is_re_read_and_reported_while_nothing_is_found(database):
    store, clock = store_at(database)
    await leave_unknown(store, "u1")
    reads: list[dict | None] = []

    async def nothing(claim) -> dict | None:
        reads.append(claim.result)
        return None

    clock.advance(minutes=5)
    ran = await store.run("t", "u1", never, recheck_unknown=nothing, unknown_grace=timedelta(minutes=15))
    assert (ran.result, ran.state, ran.ours, ran.rechecked) == (
        {"sent": "maybe"},
        ClaimState.UNKNOWN,
        False,
        False,
    )
    assert reads == [{"sent": "maybe"}]
    assert (await store.get("t", "u1")).state == ClaimState.UNKNOWN


async def test_what_the_re_read_finds_is_recorded_done_for_the_claim(database):
    store, _ = store_at(database)
    await leave_unknown(store, "u2")

    async def found(claim) -> dict | None:
        return {"sent": "yes"}

    ran = await store.run("t", "u2", never, recheck_unknown=found)
    assert ran.rechecked and not ran.ours and ran.state == ClaimState.DONE
    seen = await store.get("t", "u2")
    assert (seen.state, seen.result) == (ClaimState.DONE, {"sent": "yes"})


async def test_after_the_grace_with_nothing_found_the_claim_is_released_and_the_work_runs(database):
    store, clock = store_at(database)
    await leave_unknown(store, "u3")
    clock.advance(minutes=15)
    order: list[str] = []

    async def nothing(claim) -> dict | None:
        order.append("re-read")
        return None

    async def work() -> dict:
        order.append("work")
        return {"sent": "again"}

    ran = await store.run(
        "t", "u3", work, recheck_unknown=nothing, unknown_grace=timedelta(minutes=15), attempts=2
    )
    assert order == ["re-read", "work"]
    assert ran.ours and ran.result == {"sent": "again"}
    assert (await store.get("t", "u3")).state == ClaimState.DONE


async def test_without_a_re_read_an_unknown_outcome_is_reported_as_recorded(database):
    store, clock = store_at(database)
    await leave_unknown(store, "u4")
    clock.advance(hours=1)
    assert await store.run_once("t", "u4", never) == {"sent": "maybe"}


async def test_a_release_verdict_gives_the_claim_back_and_still_answers(database):
    store, _ = store_at(database)

    async def refused() -> Verdict:
        return Verdict({"refused": True}, state=None)

    ran = await store.run("t", "r1", refused)
    assert (ran.result, ran.state, ran.ours) == ({"refused": True}, None, True)
    assert await store.get("t", "r1") is None


async def test_on_error_keeps_a_verdict_instead_of_releasing_and_the_error_still_propagates(database):
    store, _ = store_at(database)
    posted = False

    async def dies_after_posting() -> dict:
        nonlocal posted
        posted = True
        raise RuntimeError("after the write went out")

    def keep(exc: BaseException) -> Verdict | None:
        return Verdict({"error": str(exc)}, ClaimState.UNKNOWN) if posted else None

    with pytest.raises(RuntimeError):
        await store.run("t", "e1", dies_after_posting, on_error=keep)
    seen = await store.get("t", "e1")
    assert (seen.state, seen.result) == (ClaimState.UNKNOWN, {"error": "after the write went out"})

    async def dies_before() -> dict:
        raise RuntimeError("nothing sent")

    posted = False
    with pytest.raises(RuntimeError):
        await store.run("t", "e2", dies_before, on_error=keep)
    assert await store.get("t", "e2") is None


def test_a_verdict_cannot_leave_a_claim_pending():
    with pytest.raises(ValueError):
        Verdict({}, ClaimState.PENDING)
