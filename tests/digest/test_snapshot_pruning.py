"""Old earnings snapshots are pruned, except the ones the next digests are compared with."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.clock import ManualClock
from bot.digest.store import SNAPSHOT_RETENTION, DigestStore
from bot.partners.models import Earnings
from bot.storage import Database
from bot.storage.digest_tables import DigestDelivery, EarningsSnapshot
from tests.digest.runners import runner_for

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def earnings(balance: str) -> Earnings:
    return Earnings.model_validate({"balance": balance, "commission_total": "1.00"})


async def add_delivery(
    db: Database, channel: str, days_ago: int, state: str, snapshot_id: int | None
) -> None:
    at = NOW - timedelta(days=days_ago)
    async with db.session() as session:
        session.add(
            DigestDelivery(
                channel_id=channel,
                local_date=(date(2026, 11, 25) - timedelta(days=days_ago)).isoformat(),
                state=state,
                claimed_by="r",
                claimed_at=at,
                attempts=1,
                scheduled_at=at,
                snapshot_id=snapshot_id,
                message_ts="1.0" if state == "sent" else None,
            )
        )


async def test_prune_keeps_recent_snapshots_and_each_channels_latest_sent_one(db_url):
    db = Database(db_url)
    await db.upgrade()
    store = DigestStore(db, ManualClock(NOW))
    try:
        ids = {
            name: await store.add_snapshot(earnings(balance), NOW - timedelta(days=age))
            for name, balance, age in [
                ("a_older", "1", 70),
                ("a_latest", "2", 60),
                ("b_latest", "3", 1),
                ("orphan_old", "4", 50),
                ("orphan_new", "5", 10),
                ("c_latest_sent", "6", 45),
            ]
        }
        await add_delivery(db, "C_A", 70, "sent", ids["a_older"])
        await add_delivery(db, "C_A", 60, "sent", ids["a_latest"])  # channel paused since then
        await add_delivery(db, "C_B", 1, "sent", ids["b_latest"])
        await add_delivery(db, "C_C", 45, "sent", ids["c_latest_sent"])
        await add_delivery(db, "C_C", 44, "failed", None)  # later, but never sent

        assert await store.prune_snapshots(NOW - SNAPSHOT_RETENTION) == 2

        async with db.session() as session:
            left = set((await session.execute(select(EarningsSnapshot.id))).scalars())
            nulled = (
                await session.execute(
                    select(DigestDelivery.snapshot_id).where(DigestDelivery.local_date == "2026-09-16")
                )
            ).scalar_one()
        assert left == {ids[n] for n in ("a_latest", "b_latest", "orphan_new", "c_latest_sent")}
        assert nulled is None  # the old delivery row stays, without its snapshot
        previous = await store.previous_snapshots(["C_A", "C_B", "C_C"])
        assert {c: str(e.balance) for c, e in previous.items()} == {"C_A": "2", "C_B": "3", "C_C": "6"}
        assert await store.prune_snapshots(NOW - SNAPSHOT_RETENTION) == 0
    finally:
        await db.close()


async def test_a_digest_run_prunes_old_snapshots_and_keeps_its_own(make_services, tmp_path, clock, fakes):
    services = await make_services(f"sqlite+aiosqlite:///{tmp_path}/digest.db", clock)
    store = DigestStore(services.db, services.clock)
    stale = await store.add_snapshot(earnings("9"), clock.now() - timedelta(days=41))
    await store.enable("C_GENERAL", "09:00", "Europe/Warsaw", "U_ADMIN")
    clock.advance(hours=2)
    report = await runner_for(services).run_once()
    assert report.sent == ["C_GENERAL"]
    async with services.db.session() as session:
        [(kept_id, payload)] = (
            await session.execute(select(EarningsSnapshot.id, EarningsSnapshot.payload))
        ).all()
        [delivery] = (await session.execute(select(DigestDelivery))).scalars()
    assert kept_id != stale and delivery.snapshot_id == kept_id
    assert json.loads(payload)["balance"] != "9"
