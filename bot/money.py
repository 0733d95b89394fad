"""Money formatting: Decimal in, the locale's currency text out (babel)."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_currency

CURRENCY = "USD"


@lru_cache(maxsize=4096)
def format_money(amount: Decimal, locale: str = "en_US") -> str:
    """`Decimal("16519.12")` → `$16,519.12` in en_US, `16.519,12 $` in de_DE.

    Memoised: a reply formats the same cached amounts again and again, and babel is the most
    expensive step of building it.
    """
    return format_currency(amount, CURRENCY, locale=locale)


def format_delta(change: Decimal, locale: str = "en_US") -> str:
    """A signed change with an arrow: `▲ $120.00`, `▼ $5.50`, `no change`."""
    if change == 0:
        return "no change"
    arrow = "▲" if change > 0 else "▼"
    return f"{arrow} {format_money(abs(change), locale)}"
