"""A fresh AlertRunner (its own claim owner) over one replica's services, with test options."""

from __future__ import annotations

from typing import Any

from bot.alerts.runner import AlertRunner
from bot.services import Services


def alert_runner_for(services: Services, **options: Any) -> AlertRunner:
    return AlertRunner(services.alert_store, services.partners, services.slack, services.clock, **options)
