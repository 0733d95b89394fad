"""A fresh DigestRunner (its own claim owner) over one replica's services, with test options."""

from __future__ import annotations

from typing import Any

from bot.digest.runner import DigestRunner
from bot.services import Services


def runner_for(services: Services, **options: Any) -> DigestRunner:
    return DigestRunner(
        services.digest_store,
        services.partners,
        services.slack,
        services.clock,
        locale=services.settings.locale,
        **options,
    )
