"""The license list and the payouts as the trial alerts and the App Home read them.

Both come through the adapter's typed calls (auth, retries, error taxonomy, UTC timestamps); the
names here say what the alerts and the Home use them for.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.partners import PartnersClient
from bot.partners.models import License
from bot.partners.reports import Withdrawal

LicenseFact = License
WithdrawalRecord = Withdrawal


async def license_facts(partners: PartnersClient) -> list[License]:
    """Every solution license with its status and trial end (one GET, retried by the adapter)."""
    return await partners.licenses()


async def withdrawal_records(partners: PartnersClient) -> list[Withdrawal]:
    """Payout requests, newest first."""
    epoch = datetime.min.replace(tzinfo=UTC)
    return sorted(await partners.withdrawals(), key=lambda w: w.request_timestamp or epoch, reverse=True)
