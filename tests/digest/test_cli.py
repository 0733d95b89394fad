"""`partners-bot digest run [--dry-run] [--channel C…]`."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from bot.cli import main
from bot.commands.digest import run_digests
from bot.digest.store import DigestStore
from bot.storage import Database
from bot.storage.digest_tables import DigestDelivery, EarningsSnapshot


async def count_rows(url: str, table) -> int:
    db = Database(url)
    try:
        async with db.session() as session:
            return (await session.execute(select(func.count()).select_from(table))).scalar_one()
    finally:
        await db.close()


async def subscribe(url: str, clock, *channels: str) -> None:
    db = Database(url)
    try:
        await db.upgrade()
        for channel in channels:
            await DigestStore(db, clock).enable(channel, "08:30", "Europe/Warsaw", "U_ADMIN")
    finally:
        await db.close()


async def test_dry_run_prints_the_digests_and_sends_nothing(tmp_path, fakes, clock):
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    await subscribe(url, clock, "C_GENERAL", "C_RANDOM")
    clock.advance(hours=1)
    out = io.StringIO()
    status = await run_digests(fakes.settings(url), channels=["C_RANDOM"], dry_run=True, out=out, clock=clock)
    printed = out.getvalue()
    assert status == 0
    assert "=== C_RANDOM · 2026-11-25 (dry run, not sent) ===" in printed
    assert "Balance · $16,519.12" in printed and "no previous day to compare with" in printed
    assert "C_GENERAL" not in printed and "1 digest(s) due; nothing was sent." in printed
    assert fakes.standin.state.calls("chat.postMessage") == []
    assert await count_rows(url, DigestDelivery) == 0 and await count_rows(url, EarningsSnapshot) == 0


async def test_run_delivers_due_digests_once(tmp_path, fakes, clock):
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    await subscribe(url, clock, "C_GENERAL")
    clock.advance(hours=1)
    out = io.StringIO()
    assert await run_digests(fakes.settings(url), channels=[], dry_run=False, out=out, clock=clock) == 0
    assert "1 due, 1 claimed by this run, 1 sent, 0 failed, 0 disabled." in out.getvalue()
    out = io.StringIO()
    assert await run_digests(fakes.settings(url), channels=[], dry_run=False, out=out, clock=clock) == 0
    assert out.getvalue().startswith("0 due")
    assert len(fakes.standin.state.messages("C_GENERAL")) == 1


def test_missing_tokens_are_one_line_each_and_exit_2(capsys):
    assert main(["digest", "run"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("partners-bot: PARTNERS_API_TOKEN is not set")
    assert lines[1].startswith("partners-bot: SLACK_BOT_TOKEN is not set")
