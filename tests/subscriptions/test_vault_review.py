"""Vault guarantees: imports are all-or-nothing, rotation is atomic, listings show only safe fields."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from bot.cli import main
from bot.clock import ManualClock
from bot.storage import Database
from bot.vault import VaultError, new_key, open_vault
from bot.vault.card import validate_card
from tests.subscriptions.conftest import CARD_CVV, CARD_NUMBER, card_data

TODAY = date(2026, 5, 20)
MASTERCARD = "5555555555554444"


async def ciphertexts(db: Database) -> list[tuple[str, str]]:
    async with db.engine.connect() as connection:
        return list(
            (
                await connection.exec_driver_sql("SELECT label, ciphertext FROM vault_cards ORDER BY label")
            ).all()
        )


async def test_rotation_that_cannot_read_one_card_changes_no_card(db):
    clock = ManualClock(datetime(2026, 5, 20, tzinfo=UTC))
    first, lost, new = new_key(), new_key(), new_key()
    await open_vault(first, db, clock).put(validate_card(card_data(label="A card"), TODAY))
    await open_vault(lost, db, clock).put(validate_card(card_data(MASTERCARD, label="B card"), TODAY))
    before = await ciphertexts(db)
    with pytest.raises(VaultError, match="'B card' cannot be decrypted") as caught:
        await open_vault(f"{new},{first}", db, clock).rotate()
    assert "add the old key" in str(caught.value)
    assert await ciphertexts(db) == before  # "A card" was re-encrypted in memory, then rolled back
    card = await open_vault(first, db, clock).get("A card")
    assert card.number.get_secret_value() == CARD_NUMBER


def test_cli_rotate_with_a_wrong_key_fails_clearly_and_keeps_the_cards(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/cli.db")
    key = new_key()
    monkeypatch.setenv("VAULT_KEY", key)
    source = tmp_path / "cards.json"
    source.write_text(json.dumps(card_data()))
    assert main(["cards", "import", str(source)]) == 0
    monkeypatch.setenv("VAULT_KEY", new_key())  # the old key was dropped too early
    assert main(["cards", "rotate-key"]) == 1
    assert "cannot be decrypted" in capsys.readouterr().err
    monkeypatch.delenv("VAULT_KEY")
    assert main(["cards", "rotate-key"]) == 2
    assert "VAULT_KEY is not set" in capsys.readouterr().err
    monkeypatch.setenv("VAULT_KEY", key)
    assert main(["cards", "rotate-key"]) == 0


def test_cli_import_with_a_repeated_label_imports_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VAULT_KEY", new_key())
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/cli.db")
    source = tmp_path / "cards.json"
    source.write_text(json.dumps([card_data(), card_data(MASTERCARD), card_data(label="Other")]))
    assert main(["cards", "import", str(source)]) == 1
    err = capsys.readouterr().err
    assert "'Agency Visa'" in err and "earlier card" in err and "Nothing was imported" in err
    assert main(["cards", "list"]) == 0
    assert "empty" in capsys.readouterr().out


def test_cli_list_shows_only_label_brand_last4_and_expiry(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VAULT_KEY", new_key())
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/cli.db")
    source = tmp_path / "cards.json"
    data = card_data(MASTERCARD, label="Ops MC", month=7, year=2031)
    source.write_text(json.dumps([card_data(), data]))
    assert main(["cards", "import", str(source)]) == 0
    capsys.readouterr()
    assert main(["cards", "list"]) == 0
    out = capsys.readouterr().out
    assert out.split() == [
        "Agency",
        "Visa",
        "Visa",
        "••••",
        "1111",
        "expires",
        f"12/{card_data()['year']}",
        "Ops",
        "MC",
        "Mastercard",
        "••••",
        "4444",
        "expires",
        "07/2031",
    ]
    for secret in (CARD_NUMBER, MASTERCARD, CARD_CVV, "Ada", "Admin", "Main St", "Boston", "02101"):
        assert secret not in out
