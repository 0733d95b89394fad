"""Idempotency claims on SQLite and the real PostgreSQL: one winner, stale takeover, outcomes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.settings import SettingsError
from bot.storage import ClaimState, Database, IdempotencyStore


async def test_exactly_one_of_many_concurrent_claims_wins(database):
    clock = ManualClock(datetime(2026, 11, 25, 9, tzinfo=UTC))
    stores = [IdempotencyStore(database, clock) for _ in range(3)]
    claims = await asyncio.gather(*(stores[i % 3].claim("t", "k1") for i in range(12)))
    assert sum(claim.won for claim in claims) == 1
    assert all(claim.state == "pending" for claim in claims)


async def test_losers_see_the_recorded_outcome(database):
    store = IdempotencyStore(database, ManualClock(datetime(2026, 11, 25, 9, tzinfo=UTC)))
    first = await store.claim("t", "k2")
    await store.finish("t", "k2", first.owner, state=ClaimState.DONE, result={"slug": "pp_x"})
    second = await store.claim("t", "k2")
    assert not second.won
    assert second.state == "done" and second.result == {"slug": "pp_x"}


async def test_stale_pending_claim_is_taken_over_once_but_fresh_one_is_not(database):
    clock = ManualClock(datetime(2026, 11, 25, 9, tzinfo=UTC))
    store = IdempotencyStore(database, clock, stale_after=timedelta(minutes=5))
    first = await store.claim("t", "k3")
    clock.advance(minutes=4)
    assert not (await store.claim("t", "k3")).won
    clock.advance(minutes=2)
    takeovers = await asyncio.gather(store.claim("t", "k3"), store.claim("t", "k3"))
    assert sum(c.won for c in takeovers) == 1
    # The original owner can no longer record an outcome over the new owner's claim.
    await store.finish("t", "k3", first.owner, state=ClaimState.DONE, result={})
    assert (await store.get("t", "k3")).state == "pending"


async def test_release_lets_the_operation_be_tried_again(database):
    store = IdempotencyStore(database, ManualClock(datetime(2026, 11, 25, 9, tzinfo=UTC)))
    first = await store.claim("t", "k4")
    await store.release("t", "k4", first.owner)
    assert (await store.claim("t", "k4")).won


async def test_sqlite_file_database_creates_only_the_default_data_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    db = Database("sqlite+aiosqlite:///data/bot.db")
    await db.upgrade()
    await db.close()
    assert (tmp_path / "data" / "bot.db").exists()
    # Any other missing folder is a typo in DATABASE_URL: say so rather than create it anywhere.
    with pytest.raises(
        SettingsError, match=r"^DATABASE_URL is malformed: the folder .*new/dir does not exist"
    ):
        Database(f"sqlite+aiosqlite:///{tmp_path}/new/dir/bot.db")
    assert not (tmp_path / "new").exists()


# run_once / wait_settled ------------------------------------------------------------------------


async def test_run_once_does_the_work_once_and_duplicates_get_its_result(database):
    clock = ManualClock(datetime(2026, 11, 25, 9, tzinfo=UTC))
    stores = [IdempotencyStore(database, clock) for _ in range(3)]
    calls: list[int] = []
    started, gate = asyncio.Event(), asyncio.Event()

    async def work() -> dict:
        calls.append(1)
        started.set()
        await gate.wait()
        return {"slug": "pp_once"}

    runs = [
        asyncio.create_task(stores[i % 3].run_once("t", "r1", work, wait_seconds=30, poll_seconds=0.01))
        for i in range(5)
    ]
    await started.wait()
    gate.set()
    results = await asyncio.gather(*runs)
    assert calls == [1]
    assert results == [{"slug": "pp_once"}] * 5
    claim = await stores[0].get("t", "r1")
    assert claim.state is ClaimState.DONE and claim.result == {"slug": "pp_once"}


async def test_run_once_releases_the_claim_when_the_work_fails(database):
    store = IdempotencyStore(database, ManualClock(datetime(2026, 11, 25, 9, tzinfo=UTC)))

    async def broken() -> dict:
        raise RuntimeError("boom")

    async def fine() -> dict:
        return {"ok": True}

    try:
        await store.run_once("t", "r2", broken)
    except RuntimeError:
        pass
    assert await store.get("t", "r2") is None
    assert await store.run_once("t", "r2", fine) == {"ok": True}


async def test_a_duplicate_gives_up_with_none_while_the_first_is_still_pending(database):
    store = IdempotencyStore(database, ManualClock(datetime(2026, 11, 25, 9, tzinfo=UTC)))
    await store.claim("t", "r3")

    async def never() -> dict:
        raise AssertionError("a duplicate must not do the work")

    assert await store.run_once("t", "r3", never, wait_seconds=0, poll_seconds=0) is None


async def test_a_taken_over_claim_records_what_the_re_read_found_without_redoing_the_work(database):
    clock = ManualClock(datetime(2026, 11, 25, 9, tzinfo=UTC))
    store = IdempotencyStore(database, clock, stale_after=timedelta(minutes=5))
    await store.claim("t", "r4")  # its process dies here
    clock.advance(minutes=6)

    async def never() -> dict:
        raise AssertionError("the dead owner's work was found; it must not run again")

    async def found() -> dict | None:
        return {"slug": "pp_found"}

    assert await store.run_once("t", "r4", never, settle_takeover=found) == {"slug": "pp_found"}
    assert (await store.get("t", "r4")).result == {"slug": "pp_found"}


async def test_a_taken_over_claim_whose_re_read_finds_nothing_does_the_work(database):
    clock = ManualClock(datetime(2026, 11, 25, 9, tzinfo=UTC))
    store = IdempotencyStore(database, clock, stale_after=timedelta(minutes=5))
    await store.claim("t", "r5")
    clock.advance(minutes=6)
    order: list[str] = []

    async def nothing() -> dict | None:
        order.append("re-read")
        return None

    async def work() -> dict:
        order.append("work")
        return {"slug": "pp_new"}

    assert await store.run_once("t", "r5", work, settle_takeover=nothing) == {"slug": "pp_new"}
    assert order == ["re-read", "work"]


async def test_the_re_read_is_skipped_for_a_fresh_claim(database):
    store = IdempotencyStore(database, ManualClock(datetime(2026, 11, 25, 9, tzinfo=UTC)))

    async def reread() -> dict | None:
        raise AssertionError("nobody died: nothing to re-read")

    async def work() -> dict:
        return {"slug": "pp_fresh"}

    assert await store.run_once("t", "r6", work, settle_takeover=reread) == {"slug": "pp_fresh"}


async def test_wait_settled_returns_the_outcome_none_when_released_and_pending_at_the_deadline(database):
    store = IdempotencyStore(database, ManualClock(datetime(2026, 11, 25, 9, tzinfo=UTC)))
    pending = await store.claim("t", "w1")
    still = await store.wait_settled("t", "w1", wait_seconds=0, poll_seconds=0)
    assert still.state is ClaimState.PENDING
    await store.finish("t", "w1", pending.owner, state=ClaimState.UNKNOWN, result={"at": "x"})
    settled = await store.wait_settled("t", "w1", wait_seconds=0, poll_seconds=0)
    assert settled.state is ClaimState.UNKNOWN and settled.result == {"at": "x"}
    released = await store.claim("t", "w2")
    await store.release("t", "w2", released.owner)
    assert await store.wait_settled("t", "w2", wait_seconds=0, poll_seconds=0) is None
