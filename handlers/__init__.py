"""Slack listeners, one module per feature; `register_all` is the one place they are wired."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt.async_app import AsyncApp

from handlers import (
    access,
    campaign,
    digest_periods,
    earnings,
    errors,
    history,
    home,
    retries,
    subscribe,
    withdraw,
)

if TYPE_CHECKING:
    # Annotations only: bot.services (the composition root) imports the handlers' wording.
    from bot.services import Services


def register_all(app: AsyncApp, services: Services) -> None:
    errors.register(app, services)
    retries.register(app, services)  # first middleware: a known retry must not run anything again
    access.register(app, services)
    earnings.register(
        app,
        services,
        subcommands={
            "digest": digest_periods.subcommand,
            "history": history.subcommand,
            "withdraw": withdraw.withdraw_subcommand,
            "withdrawals": withdraw.withdrawals_subcommand,
        },
    )
    history.register(app, services)
    withdraw.register(app, services)
    campaign.register(app, services)
    subscribe.register(app, services)
    home.register(app, services)
