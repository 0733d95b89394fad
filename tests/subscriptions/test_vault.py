"""The card vault: encryption round trip, key rotation, import validation, nothing secret shown."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from cryptography.fernet import Fernet

from bot.cli import main
from bot.clock import ManualClock
from bot.vault import CardInvalid, VaultError, new_key, open_vault
from bot.vault.card import validate_card
from tests.subscriptions.conftest import CARD_CVV, CARD_NUMBER, card_data

TODAY = date(2026, 5, 20)


async def test_round_trip_stores_only_ciphertext_and_shows_last4(db):
    vault = open_vault(new_key(), db, ManualClock(datetime(2026, 5, 20, tzinfo=UTC)))
    await vault.put(validate_card(card_data(), TODAY))
    [summary] = await vault.list()
    assert (summary.label, summary.brand, summary.last4) == ("Agency Visa", "Visa", "1111")
    card = await vault.get("Agency Visa")
    assert card.number.get_secret_value() == CARD_NUMBER and card.cvv.get_secret_value() == CARD_CVV
    for shown in (repr(card), str(card), repr(summary)):
        assert CARD_NUMBER not in shown and CARD_CVV not in shown
    async with db.engine.connect() as connection:
        rows = (await connection.exec_driver_sql("SELECT * FROM vault_cards")).all()
    assert CARD_NUMBER not in str(rows) and CARD_CVV not in str(rows)


async def test_rotation_reencrypts_with_the_first_key(db):
    clock = ManualClock(datetime(2026, 5, 20, tzinfo=UTC))
    old, new = new_key(), new_key()
    await open_vault(old, db, clock).put(validate_card(card_data(), TODAY))
    with pytest.raises(VaultError, match="cannot be decrypted"):
        await open_vault(new, db, clock).get("Agency Visa")
    assert await open_vault(f"{new},{old}", db, clock).rotate() == 1
    card = await open_vault(new, db, clock).get("Agency Visa")
    assert card.number.get_secret_value() == CARD_NUMBER
    async with db.engine.connect() as connection:
        [(token,)] = (await connection.exec_driver_sql("SELECT ciphertext FROM vault_cards")).all()
    Fernet(new.encode()).decrypt(token.encode())


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"number": "4111111111111112"}, "number", "checksum"),
        ({"month": 4, "year": 2026}, "year", "expired"),
        ({"country": "XX"}, "country", "ISO"),
        ({"cvv": "12"}, "cvv", "3 or 4 digits"),
        ({"city": ""}, "city", "required"),
    ],
)
def test_invalid_cards_are_rejected_per_field_without_echoing_the_number(changes, field, message):
    with pytest.raises(CardInvalid) as caught:
        validate_card(card_data(**changes), TODAY)
    assert message in caught.value.errors[field]
    assert "4111111111111112" not in str(caught.value) and CARD_NUMBER not in str(caught.value)


def test_cli_import_rejects_bad_cards_imports_good_ones_and_lists_last4(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VAULT_KEY", new_key())
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/cli.db")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([card_data(), card_data("4111111111111112", label="Typo", year=2020)]))
    assert main(["cards", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "Typo" in err and "checksum" in err and "expired" in err and "4111111111111112" not in err
    good = tmp_path / "good.json"
    good.write_text(json.dumps(card_data()))
    assert main(["cards", "import", str(good)]) == 0
    assert main(["cards", "list"]) == 0
    out = capsys.readouterr().out
    assert "Agency Visa" in out and "1111" in out and CARD_NUMBER not in out and CARD_CVV not in out
    assert main(["cards", "remove", "Agency Visa"]) == 0
    assert main(["cards", "list"]) == 0
    assert "empty" in capsys.readouterr().out


def test_cli_without_vault_key_says_how_to_make_one(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/cli.db")
    assert main(["cards", "list"]) == 2
    assert "partners-bot cards new-key" in capsys.readouterr().err
    assert main(["cards", "new-key"]) == 0
    Fernet(capsys.readouterr().out.strip().encode())
