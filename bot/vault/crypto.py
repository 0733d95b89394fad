"""`VAULT_KEY` → a MultiFernet: the first key encrypts, every key decrypts (rotation)."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet, MultiFernet
from pydantic import SecretStr

HOW_TO_GET_A_KEY = "generate one with `partners-bot cards new-key` and put it in .env as VAULT_KEY"


class VaultKeyError(Exception):
    """`VAULT_KEY` is missing or malformed; the message says how to fix it (never shows the key)."""


def new_key() -> str:
    """A fresh Fernet key (32 random bytes, url-safe base64)."""
    return Fernet.generate_key().decode()


def vault_cipher(vault_key: SecretStr | str | None) -> MultiFernet:
    """The cipher for comma-separated keys; `VaultKeyError` when there is none or one is malformed."""
    raw = vault_key.get_secret_value() if isinstance(vault_key, SecretStr) else (vault_key or "")
    keys = [part.strip() for part in raw.split(",") if part.strip()]
    if not keys:
        raise VaultKeyError(f"VAULT_KEY is not set: {HOW_TO_GET_A_KEY}")
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key.encode()))
        except (ValueError, TypeError):
            raise VaultKeyError(
                f"VAULT_KEY is malformed: key #{position} is not a Fernet key (32 url-safe base64 bytes); "
                f"{HOW_TO_GET_A_KEY}"
            ) from None
    return MultiFernet(fernets)


def fingerprint_key(vault_key: SecretStr | str | None) -> bytes:
    """The HMAC key for card fingerprints, derived from the first key of `VAULT_KEY` (never stored).

    Derived rather than the key itself, so a fingerprint can never help anyone decrypt the vault.
    """
    raw = vault_key.get_secret_value() if isinstance(vault_key, SecretStr) else (vault_key or "")
    first = next((part.strip() for part in raw.split(",") if part.strip()), "")
    return hashlib.sha256(b"partners-bot card fingerprint\0" + first.encode()).digest()


def card_fingerprint(key: bytes, number: str, month: int, year: int) -> str:
    """A stable, keyed digest of a card's number and expiry: equal for the same card, and useless
    without the vault key (no number or last 4 can be recovered or guessed from it offline)."""
    return hmac.new(key, f"{number}|{month:02d}|{year}".encode(), hashlib.sha256).hexdigest()
