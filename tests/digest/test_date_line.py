"""Channels either side of the date line get their digest on their own local date, around midnight."""

from __future__ import annotations

from sqlalchemy import select

from bot.digest.store import DigestStore
from bot.storage.digest_tables import DigestDelivery
from tests.digest.runners import runner_for


async def test_kiritimati_and_pago_pago_digests_carry_their_local_dates(
    make_services, tmp_path, clock, fakes
):
    # START is 07:00 UTC on Wed 25 Nov: 21:00 on the 25th in Kiritimati (UTC+14), 20:00 on the 24th in
    # Pago Pago (UTC-11).
    services = await make_services(f"sqlite+aiosqlite:///{tmp_path}/digest.db", clock)
    store = DigestStore(services.db, services.clock)
    await store.enable("C_GENERAL", "00:00", "Pacific/Kiritimati", "U_ADMIN")
    await store.enable("C_RANDOM", "23:59", "Pacific/Pago_Pago", "U_ADMIN")
    runner = runner_for(services)

    clock.advance(hours=2, minutes=59)  # 23:59 on the 25th in Kiritimati: not yet
    assert (await runner.run_once()).due == 0
    clock.advance(minutes=1)  # midnight in Kiritimati: Thursday the 26th begins there
    assert (await runner.run_once()).sent == ["C_GENERAL"]
    clock.advance(minutes=58)  # 23:58 on the 24th in Pago Pago
    assert (await runner.run_once()).due == 0
    clock.advance(minutes=13)  # 00:11 on the 25th there: the tick at 23:59 was missed, still within grace
    assert (await runner.run_once()).sent == ["C_RANDOM"]
    clock.advance(hours=1)
    assert (await runner.run_once()).due == 0

    async with services.db.session() as session:
        days = {d.channel_id: d.local_date for d in (await session.execute(select(DigestDelivery))).scalars()}
    assert days == {"C_GENERAL": "2026-11-26", "C_RANDOM": "2026-11-24"}
    [east] = fakes.standin.state.messages("C_GENERAL")
    [west] = fakes.standin.state.messages("C_RANDOM")
    assert "Thursday, 26 November 2026" in str(east["blocks"])
    assert "Tuesday, 24 November 2026" in str(west["blocks"])
