"""`/earnings withdraw` (admins): balance, then **Confirm** requests the payout exactly once;
`/earnings withdrawals`: recent payouts in the user's time zone.

The subcommands run after `/earnings` acked; the buttons ack first. Admin rights are checked at
both steps (the click is a separate request) and before any Partners API call.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext

from bot.access import ADMINS_ONLY
from bot.partners.errors import PartnersError
from bot.partners.payouts import newest_first
from bot.slack.blocks import notice_message
from bot.slack.context import acting_user
from bot.slack.respond import reply
from bot.slack.users import user_zone
from handlers.messages import UNEXPECTED, partners_error_text
from handlers.withdraw_blocks import (
    CANCEL_ACTION_ID,
    CONFIRM_ACTION_ID,
    parse_confirm_value,
    result_message,
    withdraw_message,
    withdrawals_message,
)

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

STALE_BUTTON = "That button is not one Partners Bot can read. Run `/earnings withdraw` again."
NO_AMOUNT = (
    "`/earnings withdraw` takes no amount: LiveChat pays out the whole available balance. "
    "Run `/earnings withdraw` on its own to see it and confirm."
)
NO_ARGUMENTS = "`/earnings withdrawals` takes nothing after it: it lists your recent payouts."


async def withdraw_subcommand(deps: Services, command: dict[str, Any], words: list[str]) -> None:
    """`/earnings withdraw` (already acked): the balance and a confirmation, for admins only."""
    if not deps.access.is_admin(command.get("user_id")):
        await reply(deps.http, command["response_url"], notice_message(ADMINS_ONLY))
        return
    if words:
        await reply(deps.http, command["response_url"], notice_message(NO_AMOUNT))
        return
    try:
        current = await deps.partners.balance()
        message = withdraw_message(current, uuid.uuid4().hex, locale=deps.settings.locale)
    except PartnersError as exc:
        log.warning("/earnings withdraw failed: %r", exc)
        message = notice_message(partners_error_text(exc))
    await reply(deps.http, command["response_url"], message)


async def withdrawals_subcommand(deps: Services, command: dict[str, Any], words: list[str]) -> None:
    """`/earnings withdrawals` (already acked)."""
    if words:
        await reply(deps.http, command["response_url"], notice_message(NO_ARGUMENTS))
        return
    try:
        payouts = newest_first(await deps.partners.withdrawals())
        zone, known = await user_zone(deps.slack, command["user_id"])
        message = withdrawals_message(payouts, zone, known, locale=deps.settings.locale)
    except PartnersError as exc:
        log.warning("/earnings withdrawals failed: %r", exc)
        message = notice_message(partners_error_text(exc))
    await reply(deps.http, command["response_url"], message)


async def confirm(deps: Services, body: dict[str, Any], user_id: str) -> None:
    response_url = body.get("response_url")
    value = ((body.get("actions") or [{}])[0]).get("value") or ""
    parsed = parse_confirm_value(value)
    service = deps.payouts
    if parsed is None:
        message = notice_message(STALE_BUTTON)
    elif not deps.access.is_admin(user_id):
        request_id, amount = parsed
        await service.record_refusal(request_id, user_id, amount)
        message = notice_message(ADMINS_ONLY)
    else:
        request_id, amount = parsed
        try:
            result = await service.confirm(request_id, amount, user_id)
            message = {
                **result_message(result, amount, locale=deps.settings.locale),
                "replace_original": True,
            }
        except Exception:
            log.exception("payout confirmation failed")
            message = notice_message(UNEXPECTED)
    if response_url:
        await reply(deps.http, response_url, message)


def register(app: AsyncApp, deps: Services) -> None:
    """Bind **Confirm** and **Cancel** of the payout confirmation."""

    @app.action(CONFIRM_ACTION_ID)
    async def confirm_clicked(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await ack()
        await confirm(deps, body, acting_user(context, body) or "")

    @app.action(CANCEL_ACTION_ID)
    async def cancel_clicked(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        if body.get("response_url"):
            message = {**notice_message("Cancelled — no payout was requested."), "replace_original": True}
            await reply(deps.http, body["response_url"], message)
