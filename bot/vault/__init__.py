"""The card vault: the agency's payment cards, encrypted at rest with `VAULT_KEY`.

Only the label, brand, last 4 digits and expiry ever leave it in clear text; the full card goes
nowhere but into the Recurly token request.
"""

from bot.vault.card import Card, CardInvalid, card_brand, luhn_valid, parse_cards
from bot.vault.crypto import VaultKeyError, new_key, vault_cipher
from bot.vault.store import CardSummary, CardVault, VaultError, open_vault

__all__ = [
    "Card",
    "CardInvalid",
    "CardSummary",
    "CardVault",
    "VaultError",
    "VaultKeyError",
    "card_brand",
    "luhn_valid",
    "new_key",
    "open_vault",
    "parse_cards",
    "vault_cipher",
]
