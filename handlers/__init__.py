"""Slack listeners, one module per feature; `register_all` is the one place they are wired."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.deps import Deps
from handlers import access, earnings


def register_all(app: AsyncApp, deps: Deps) -> None:
    access.register(app, deps)
    earnings.register(app, deps, subcommands={})
