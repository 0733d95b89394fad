"""`/subscribe`: turn a client's trial into a paid subscription — admins only, confirmed, exactly once.

Steps, each re-checking admin rights: the command lists subscribable licenses → a button opens the
form modal → its submission pushes a confirmation → Confirm creates the subscription (see
`bot.subscriptions.service`) and reports in the modal and the channel.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError

from bot.access import ADMINS_ONLY
from bot.alerts.runner import subscription_created
from bot.deps import Deps
from bot.partners.errors import PartnersError
from bot.recurly import create_token
from bot.slack.respond import post_to_response_url
from bot.slack.views import ack_time, after_ack_settles
from bot.storage import IdempotencyStore
from bot.subscriptions.audit import AuditLog
from bot.subscriptions.orders import Order, check_form
from bot.subscriptions.service import Outcome, SubscriptionService
from bot.vault import Card, CardVault, VaultKeyError, open_vault
from handlers import alerts
from handlers.access import refusal_view, user_id_of
from handlers.messages import UNEXPECTED, partners_error_text
from handlers.subscribe_views import (
    CONFIRM_CALLBACK,
    FORM_CALLBACK,
    OPEN_ACTION_PREFIX,
    confirmation_view,
    form_view,
    license_list_message,
    loading_view,
    message_view,
    no_cards_view,
    notice_message,
    parse_form_metadata,
    parse_order,
    progress_view,
    read_answers,
    result_text,
    result_view,
    split_card_value,
    success_note,
)

log = logging.getLogger(__name__)

USAGE = (
    "*/subscribe* — turn a client's partner-paid LiveChat trial into a paid subscription (admins only).\n"
    "• `/subscribe` — list the trials you can pay for, each with a *Create subscription* button\n"
    "• then choose plan, seats, billing cycle and card, check the price, and *Confirm*\n"
    "• `/subscribe alerts on [days]` | `off` | `status` — trial-ending alerts in this channel\n"
    "• `/subscribe help` — this message\n"
    "Cards live in the encrypted vault on the server: `partners-bot cards import card.json`."
)

SERVICE_KEY = "subscriptions"
LICENSE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
CHANNEL_ERRORS = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}
CHECKING = "Not confirmed yet — LiveChat did not answer in time. Checking whether the subscription exists…"


def vault_of(deps: Deps) -> CardVault:
    """The card vault, or `VaultKeyError` saying how to generate VAULT_KEY."""
    assert deps.db is not None
    return open_vault(deps.settings.vault_key, deps.db, deps.clock)


def build_service(deps: Deps) -> SubscriptionService:
    assert deps.db is not None
    settings = deps.settings

    async def tokenize(card: Card) -> Any:
        assert deps.http is not None
        return await create_token(
            deps.http,
            settings.recurly_api_url,
            settings.recurly_public_key,
            card,
            timeout=settings.partners_timeout,
        )

    return SubscriptionService(
        partners=deps.partners,
        vault=lambda: vault_of(deps),
        tokenize=tokenize,
        claims=IdempotencyStore(deps.db, deps.clock),
        audit=AuditLog(deps.db, deps.clock),
        clock=deps.clock,
        error_text=partners_error_text,
    )


async def reply(deps: Deps, response_url: str | None, text: str) -> None:
    """An ephemeral note to the user via the command's or button's response URL."""
    if not response_url:
        return
    assert deps.http is not None
    await post_to_response_url(
        deps.http,
        response_url,
        {"response_type": "ephemeral", "replace_original": False, **notice_message(text)},
    )


async def send_license_list(deps: Deps, command: dict[str, Any]) -> None:
    response_url = command["response_url"]
    try:
        licenses = [lic for lic in await deps.partners.licenses() if lic.subscribable]
    except PartnersError as exc:
        log.warning("/subscribe could not list licenses: %r", exc, exc_info=True)
        await reply(deps, response_url, partners_error_text(exc))
        return
    vault_note = None
    try:
        vault_of(deps)
    except VaultKeyError as exc:
        vault_note = str(exc)
    assert deps.http is not None
    message = license_list_message(licenses, vault_note=vault_note)
    await post_to_response_url(deps.http, response_url, {"response_type": "ephemeral", **message})


async def update_view(deps: Deps, view_id: str, view: dict[str, Any], *, hash: str | None = None) -> bool:
    try:
        await deps.slack.views_update(view_id=view_id, view=view, hash=hash)
    except SlackApiError as exc:
        error = exc.response.get("error", "") if exc.response is not None else ""
        log.warning("views.update of %s failed: %s", view_id, error)
        return False
    return True


async def fill_form(
    deps: Deps, body: dict[str, Any], license_id: str, view_id: str, hash: str | None
) -> None:
    """Replace the loading modal with the form, or with why there is nothing to do."""
    channel_id = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    try:
        details = await deps.partners.license(license_id)
    except PartnersError as exc:
        log.warning("/subscribe could not read license %s: %r", license_id, exc, exc_info=True)
        await update_view(deps, view_id, message_view(partners_error_text(exc)), hash=hash)
        return
    if details.paid:
        await update_view(
            deps, view_id, message_view(f"License {license_id} is already subscribed."), hash=hash
        )
        return
    if not details.subscribable:
        text = f"License {license_id} cannot be subscribed by the partner (blocked, inactive or client-paid)."
        await update_view(deps, view_id, message_view(text), hash=hash)
        return
    try:
        cards = await vault_of(deps).list()
    except VaultKeyError as exc:
        await update_view(deps, view_id, no_cards_view(str(exc)), hash=hash)
        return
    if not cards:
        await update_view(deps, view_id, no_cards_view(None), hash=hash)
        return
    view = form_view(
        license_id=license_id,
        client_name=details.client_name,
        channel_id=channel_id,
        cards=cards,
        plan_prices=deps.settings.plan_prices,
        locale=deps.settings.locale,
        seats=details.seats,
    )
    if not await update_view(deps, view_id, view, hash=hash):
        # Never leave the admin looking at "Loading…": say something failed instead.
        await update_view(deps, view_id, message_view(f"The form could not be shown. {UNEXPECTED}"))


async def announce(deps: Deps, order: Order, user_id: str) -> None:
    """The success note in the channel the command came from, else as a DM to the admin."""
    note = success_note(order, user_id)
    if order.channel_id:
        try:
            await deps.slack.chat_postMessage(channel=order.channel_id, **note)
            return
        except SlackApiError as exc:
            error = exc.response.get("error", "") if exc.response is not None else ""
            if error not in CHANNEL_ERRORS:
                log.warning("success note to %s failed: %s", order.channel_id, error, exc_info=True)
    try:
        await deps.slack.chat_postMessage(channel=user_id, **note)
    except SlackApiError:
        log.warning("success note by DM to %s failed", user_id, exc_info=True)


def register(app: AsyncApp, deps: Deps) -> None:
    """Bind `/subscribe`, its Create subscription buttons and both modals."""
    service = build_service(deps)
    deps.extras[SERVICE_KEY] = service
    is_admin = deps.access.is_admin

    @app.command("/subscribe")
    async def subscribe_command(ack: AsyncAck, command: dict[str, Any]) -> None:
        words = (command.get("text") or "").split()
        if words and words[0].lower() == "alerts":
            await ack()
            await alerts.subcommand(deps, command, words[1:])
            return
        if words:
            # `/subscribe help` and anything unexpected: say what the command does, list nothing.
            await ack(response_type="ephemeral", text=USAGE)
            return
        if not is_admin(command.get("user_id")):
            await ack(response_type="ephemeral", text=ADMINS_ONLY)
            return
        await ack()
        try:
            await send_license_list(deps, command)
        except Exception:
            log.exception("/subscribe failed")
            await reply(deps, command.get("response_url"), UNEXPECTED)

    @app.action(re.compile("^" + re.escape(OPEN_ACTION_PREFIX)))
    async def create_clicked(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        user_id = user_id_of(body)
        response_url = body.get("response_url")
        if not is_admin(user_id):
            log.info("refused subscription form for %s (not an admin)", user_id)
            await reply(deps, response_url, ADMINS_ONLY)
            return
        license_id = str((body.get("actions") or [{}])[0].get("value") or "")
        if not LICENSE_ID.match(license_id):
            await reply(deps, response_url, "That button does not name a license; run /subscribe again.")
            return
        try:
            opened = await deps.slack.views_open(trigger_id=body.get("trigger_id"), view=loading_view())
        except SlackApiError as exc:
            error = exc.response.get("error", "") if exc.response is not None else ""
            log.warning("views.open for the subscription form failed: %s", error)
            await reply(deps, response_url, "Slack did not open the form in time; press the button again.")
            return
        view = opened["view"]
        try:
            await fill_form(deps, body, license_id, view["id"], view.get("hash"))
        except Exception:
            log.exception("filling the subscription form failed")
            await update_view(deps, view["id"], message_view(UNEXPECTED))

    @app.view(FORM_CALLBACK)
    async def form_submitted(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        user_id = user_id_of(body)
        if not is_admin(user_id):
            log.info("refused subscription form submission by %s (not an admin)", user_id)
            await ack(response_action="update", view=refusal_view(ADMINS_ONLY))
            return
        meta = parse_form_metadata(view.get("private_metadata"))
        if meta is None or not LICENSE_ID.match(meta["license"]):
            await ack(
                response_action="update", view=message_view("This form is out of date; run /subscribe again.")
            )
            return
        form, errors = check_form(read_answers((view.get("state") or {}).get("values") or {}))
        if form is None:
            await ack(response_action="errors", errors=errors)
            return
        last4, label = split_card_value(form.card)
        try:
            order = Order(
                license_id=meta["license"],
                client_name=str(meta.get("client") or ""),
                plan=form.plan,
                seats=form.seats,
                billing_cycle=form.billing_cycle,
                card_label=label,
                card_last4=last4,
                channel_id=meta.get("channel") or None,
                request_id=uuid.uuid4().hex,
            )
        except ValueError:
            await ack(response_action="errors", errors={"card": "Choose a card from the vault."})
            return
        settings = deps.settings
        await ack(
            response_action="push", view=confirmation_view(order, settings.plan_prices, settings.locale)
        )

    @app.view(CONFIRM_CALLBACK)
    async def confirmed(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        user_id = user_id_of(body) or ""
        order = parse_order(view.get("private_metadata"))
        if not is_admin(user_id):
            await ack(response_action="update", view=refusal_view(ADMINS_ONLY))
            log.warning("refused subscription confirmation by %s (not an admin)", user_id)
            if order is not None:
                await service.record_refusal(order, user_id)
            return
        if order is None:
            text = "This confirmation is not valid any more; nothing was sent. Run /subscribe again."
            await ack(response_action="update", view=message_view(text))
            return
        await ack(response_action="update", view=progress_view(order))
        acked_at = ack_time()
        view_id = view["id"]

        async def checking() -> None:
            await after_ack_settles(acked_at)
            await update_view(deps, view_id, progress_view(order, CHECKING))

        result = await service.subscribe(order, user_id, on_unknown=checking)
        await after_ack_settles(acked_at)
        shown = await update_view(deps, view_id, result_view(order, result))
        if not shown:
            try:
                await deps.slack.chat_postMessage(channel=user_id, text=result_text(order, result))
            except SlackApiError:
                log.warning("could not tell %s the subscription result", user_id, exc_info=True)
        if result.fresh and result.outcome is Outcome.CREATED:
            await announce(deps, order, user_id)
        if result.outcome is Outcome.CREATED:
            try:
                await subscription_created(deps, order.license_id, user_id)
            except Exception:
                log.exception("could not mark trial alerts of %s as subscribed", order.license_id)
