"""What the payout flow adds to the adapter's balance and withdrawal calls.

The calls themselves (`PartnersClient.balance`, `.withdrawals`, `.request_withdrawal`) and their
models live with the rest of the adapter: the POST is sent once, never retried, never follows a
redirect (`PartnersRedirected`: nothing was requested), and only a 2xx counts as success; a timeout
or 5xx leaves its fate open (`PartnersUnavailable.maybe_applied`), so `/withdrawals` is re-read
before anything is sent again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal

from bot.partners.reports import Withdrawal

MINIMUM_WITHDRAWAL = Decimal("50")  # the API answers 403 below it


def newest_first(payouts: Iterable[Withdrawal]) -> list[Withdrawal]:
    """Payout requests, the latest request first (undated ones last)."""
    epoch = datetime.min.replace(tzinfo=UTC)
    return sorted(payouts, key=lambda w: w.request_timestamp or epoch, reverse=True)
