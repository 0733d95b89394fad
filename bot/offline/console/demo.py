"""Demo data for the offline console, so every flow can be tried at once (e.g. `/subscribe`)."""

from __future__ import annotations

import logging
from decimal import Decimal

from bot.offline.local_stack import LocalStack
from bot.vault.card import Card
from bot.vault.store import open_vault

log = logging.getLogger(__name__)

# Monthly price per seat, as a partner would put in PLAN_PRICES, so the confirmation shows a price.
DEMO_PLAN_PRICES = {"starter": Decimal("20"), "team": Decimal("41"), "business": Decimal("59")}

# The sandbox's Recurly accepts this Visa test number; it is not a real card.
DEMO_CARD = {
    "label": "Agency Visa",
    "first_name": "Ada",
    "last_name": "Admin",
    "number": "4111111111111111",
    "month": 12,
    "year": 2030,
    "cvv": "123",
    "address1": "1 Demo Street",
    "city": "Wroclaw",
    "state": "Lower Silesia",
    "zip": "50-001",
    "country": "PL",
}


async def seed_demo_card(stack: LocalStack) -> None:
    """Put the sandbox test card in the console's vault when the vault is empty."""
    settings = stack.settings
    if settings.vault_key is None:
        return
    vault = open_vault(settings.vault_key, stack.services.db, stack.services.clock)
    if not await vault.list():
        await vault.put(Card.model_validate(DEMO_CARD))
