"""`UTCDateTime` keeps the instant and hands back UTC, on SQLite (no zone support) and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from bot.storage.idempotency import IdempotencyKey


async def test_far_east_and_far_west_instants_come_back_as_the_same_utc_instant(database):
    moments = {
        # 00:30 on the 26th in UTC+14 and 23:30 on the 24th in UTC-11 are both 10:30 UTC on the 25th.
        "east": datetime(2026, 11, 26, 0, 30, 0, 123456, tzinfo=ZoneInfo("Pacific/Kiritimati")),
        "west": datetime(2026, 11, 24, 23, 30, 0, 123456, tzinfo=ZoneInfo("Pacific/Pago_Pago")),
        "utc": datetime(2026, 11, 25, 10, 30, 0, 123456, tzinfo=UTC),
    }
    async with database.session() as session:
        for key, moment in moments.items():
            session.add(
                IdempotencyKey(
                    scope="tz-test", key=key, state="done", owner="o", created_at=moment, updated_at=moment
                )
            )
    async with database.session() as session:
        rows = (
            await session.execute(select(IdempotencyKey).where(IdempotencyKey.scope == "tz-test"))
        ).scalars()
        back = {row.key: row.created_at for row in rows}
    assert set(back) == set(moments)
    for key, moment in moments.items():
        assert back[key] == moment and back[key].tzinfo is UTC
        assert back[key] == datetime(2026, 11, 25, 10, 30, 0, 123456, tzinfo=UTC)


async def test_naive_datetimes_are_refused(database):
    naive = datetime(2026, 11, 25, 10, 30)
    with pytest.raises(StatementError, match="naive datetime"):
        async with database.session() as session:
            session.add(
                IdempotencyKey(
                    scope="tz-test", key="n", state="done", owner="o", created_at=naive, updated_at=naive
                )
            )
