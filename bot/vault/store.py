"""`CardVault`: store, list, read, remove and re-encrypt cards in the database."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.fernet import InvalidToken, MultiFernet
from pydantic import SecretStr
from sqlalchemy import delete, select

from bot.clock import Clock
from bot.storage import Database
from bot.vault.card import Card
from bot.vault.crypto import card_fingerprint, fingerprint_key, vault_cipher
from bot.vault.tables import VaultCard


class VaultError(Exception):
    """A card could not be read (unknown label, or no key in VAULT_KEY can decrypt it)."""


@dataclass(frozen=True)
class CardSummary:
    """What anyone may see of a stored card."""

    label: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int

    @property
    def display(self) -> str:
        return f"{self.label} · {self.brand} ending {self.last4}"

    @property
    def expiry(self) -> str:
        return f"{self.exp_month:02d}/{self.exp_year}"


def _summary(row: VaultCard) -> CardSummary:
    return CardSummary(row.label, row.brand, row.last4, row.exp_month, row.exp_year)


def _plain(card: Card) -> bytes:
    data = card.model_dump(mode="python")
    data["number"] = card.number.get_secret_value()
    data["cvv"] = card.cvv.get_secret_value()
    return json.dumps(data).encode()


class CardVault:
    """Encrypted cards in `vault_cards`; the cipher is built from `VAULT_KEY` (see `vault_cipher`)."""

    def __init__(self, db: Database, cipher: MultiFernet, clock: Clock, *, fingerprint_key: bytes = b""):
        self.db = db
        self.cipher = cipher
        self.clock = clock
        self._fingerprint_key = fingerprint_key

    def __repr__(self) -> str:
        return "CardVault()"

    async def put(self, card: Card) -> bool:
        """Store `card` under its label, replacing one with the same label; True when it replaced one."""
        [replaced] = await self.put_many([card])
        return replaced

    async def put_many(self, cards: Sequence[Card]) -> list[bool]:
        """Store every card in one transaction (all or none); per card, True when it replaced one."""
        now = self.clock.now()
        encrypted = [(card, self.cipher.encrypt(_plain(card)).decode()) for card in cards]
        replaced: list[bool] = []
        async with self.db.session() as session:
            for card, ciphertext in encrypted:
                row = (await session.execute(select(VaultCard).where(VaultCard.label == card.label))).scalar()
                replaced.append(row is not None)
                if row is None:
                    row = VaultCard(label=card.label, created_at=now)
                    session.add(row)
                row.brand, row.last4 = card.brand, card.last4
                row.exp_month, row.exp_year = card.month, card.year
                row.ciphertext, row.updated_at = ciphertext, now
                await session.flush()
        return replaced

    async def list(self) -> list[CardSummary]:
        async with self.db.session() as session:
            rows = (await session.execute(select(VaultCard).order_by(VaultCard.label))).scalars().all()
            return [_summary(row) for row in rows]

    async def summary(self, label: str) -> CardSummary | None:
        async with self.db.session() as session:
            row = (await session.execute(select(VaultCard).where(VaultCard.label == label))).scalar()
            return _summary(row) if row is not None else None

    async def get(self, label: str) -> Card:
        """The full card, decrypted; only for the Recurly token request."""
        async with self.db.session() as session:
            row = (await session.execute(select(VaultCard).where(VaultCard.label == label))).scalar()
            if row is None:
                raise VaultError(f"There is no card labelled {label!r} in the vault.")
            ciphertext = row.ciphertext
        try:
            data = json.loads(self.cipher.decrypt(ciphertext.encode()))
        except InvalidToken:
            raise VaultError(
                f"The card {label!r} cannot be decrypted with VAULT_KEY — was the key that encrypted it removed?"
            ) from None
        return Card.model_validate(data)

    def fingerprint(self, card: Card) -> str:
        """Which card this is (number and expiry, keyed with the vault key): Review records it, and
        Confirm refuses when the card under the same label is no longer the one reviewed."""
        return card_fingerprint(self._fingerprint_key, card.number.get_secret_value(), card.month, card.year)

    async def remove(self, label: str) -> bool:
        async with self.db.session() as session:
            result = await session.execute(delete(VaultCard).where(VaultCard.label == label))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def rotate(self) -> int:
        """Re-encrypt every card with the first key of `VAULT_KEY`; returns how many were rewritten."""
        now = self.clock.now()
        async with self.db.session() as session:
            rows = (await session.execute(select(VaultCard))).scalars().all()
            for row in rows:
                try:
                    row.ciphertext = self.cipher.rotate(row.ciphertext.encode()).decode()
                except InvalidToken:
                    raise VaultError(
                        f"The card {row.label!r} cannot be decrypted with any key in VAULT_KEY; "
                        "add the old key after the new one and rotate again."
                    ) from None
                row.updated_at = now
            return len(rows)


def open_vault(vault_key: SecretStr | str | None, db: Database, clock: Clock) -> CardVault:
    """The vault for `VAULT_KEY`; `VaultKeyError` (saying how to make a key) when it is unset or bad."""
    return CardVault(db, vault_cipher(vault_key), clock, fingerprint_key=fingerprint_key(vault_key))
