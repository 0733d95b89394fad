"""Card fingerprints: the same card gives the same digest, another card, expiry or key another, and
the digest gives nothing of the number away (14.9)."""

from __future__ import annotations

from datetime import date

from bot.clock import SystemClock
from bot.vault import new_key, open_vault
from bot.vault.card import validate_card
from tests.subscriptions.conftest import CARD_NUMBER, card_data


def card(number: str = CARD_NUMBER, **changes):
    return validate_card(card_data(number, **changes), date.today())


def test_fingerprint_is_stable_per_card_and_key_and_reveals_nothing(db):
    key = new_key()
    vault = open_vault(key, db, SystemClock())
    same = open_vault(key, db, SystemClock())
    other_key = open_vault(new_key(), db, SystemClock())
    print_ = vault.fingerprint(card())
    assert print_ == same.fingerprint(card(label="Renamed"))  # the label is not the card
    assert print_ != vault.fingerprint(card("5555555555554444"))
    assert print_ != vault.fingerprint(card(year=date.today().year + 4))
    assert print_ != other_key.fingerprint(card())
    assert CARD_NUMBER not in print_ and len(print_) == 64
    assert key not in repr(vault) and print_ not in repr(vault)
