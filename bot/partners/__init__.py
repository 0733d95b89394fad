"""LiveChat Partner Program API: client, models and errors."""

from bot.partners.client import PartnersClient, RetryPolicy, WriteOutcome, WriteResult
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
