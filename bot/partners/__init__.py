"""LiveChat Partner Program API: client, models and errors."""

from bot.partners.client import PartnersClient
from bot.partners.errors import (
    PartnersAuthError,
    PartnersConflict,
    PartnersError,
    PartnersForbidden,
    PartnersNotFound,
    PartnersRateLimited,
    PartnersRedirected,
    PartnersUnavailable,
    PartnersValidationError,
)
from bot.partners.models import Campaign, Coupon, Earnings, License, LicenseDetails, ProgramEarnings
from bot.partners.transport import RetryPolicy
from bot.partners.wire import WriteOutcome, WriteResult

__all__ = [
    "Campaign",
    "Coupon",
    "Earnings",
    "License",
    "LicenseDetails",
    "PartnersAuthError",
    "PartnersClient",
    "PartnersConflict",
    "PartnersError",
    "PartnersForbidden",
    "PartnersNotFound",
    "PartnersRateLimited",
    "PartnersRedirected",
    "PartnersUnavailable",
    "PartnersValidationError",
    "ProgramEarnings",
    "RetryPolicy",
    "WriteOutcome",
    "WriteResult",
]
