"""Slack listeners, one module per feature; `register_all` is the one place they are wired."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.deps import Deps
from handlers import (
    access,
    campaign,
    digest,
    digest_periods,
    earnings,
    errors,
    history,
    retries,
    subscribe,
    withdraw,
)


def register_all(app: AsyncApp, deps: Deps) -> None:
    errors.register(app, deps)
    retries.register(app, deps)  # first middleware: a known retry must not run anything again
    access.register(app, deps)
    earnings.register(
        app,
        deps,
        subcommands={
            "digest": digest_periods.subcommand,
            "history": history.subcommand,
            "withdraw": withdraw.withdraw_subcommand,
            "withdrawals": withdraw.withdrawals_subcommand,
        },
    )
    history.register(app, deps)
    withdraw.register(app, deps)
    digest.register(app, deps)
    campaign.register(app, deps)
    subscribe.register(app, deps)
