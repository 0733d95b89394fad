"""`/subscribe`: turn a client's trial into a paid subscription — admins only, confirmed, exactly once.

Steps, each re-checking admin rights: the command lists subscribable licenses → a button opens the
form modal → Review pushes "Checking…" in its ack, re-reads the license after it and turns that
modal into the confirmation → Confirm creates the subscription (see `bot.subscriptions.service`)
and reports in the modal and the channel.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError

from bot.access import ADMINS_ONLY
from bot.alerts.runner import subscription_created
from bot.partners.errors import PartnersError
from bot.slack.blocks import truncate
from bot.slack.context import acting_channel, acting_user
from bot.slack.errors import CHANNEL_ERRORS, error_code
from bot.slack.respond import ack_body, reply
from bot.slack.users import user_zone
from bot.slack.views import ack_time, after_ack_settles
from bot.subscriptions.orders import Order, check_form, price_of
from bot.subscriptions.service import Outcome, Result
from bot.vault import VaultKeyError
from handlers import alerts
from handlers.access import refusal_view
from handlers.messages import UNEXPECTED, partners_error_text
from handlers.subscribe_list_blocks import license_list_message
from handlers.subscribe_views import (
    CONFIRM_CALLBACK,
    FORM_CALLBACK,
    OPEN_ACTION_PREFIX,
    checking_text,
    confirmation_view,
    form_view,
    loading_view,
    message_view,
    no_cards_view,
    parse_form_metadata,
    parse_order,
    progress_view,
    read_answers,
    result_text,
    result_view,
    review_external_id,
    reviewing_view,
    split_card_value,
    success_note,
)

if TYPE_CHECKING:
    # Annotations only: bot.services (the composition root) imports the handlers' wording.
    from bot.services import Services

log = logging.getLogger(__name__)

USAGE = (
    "*/subscribe* — turn a client's partner-paid LiveChat trial into a paid subscription (admins only).\n"
    "• `/subscribe` — list the trials you can pay for, each with a *Create subscription* button\n"
    "• then choose plan, seats, billing cycle and card, check the price, and *Confirm*\n"
    "• `/subscribe alerts on [days]` | `off` | `status` — trial-ending alerts in this channel\n"
    "• `/subscribe help` — this message\n"
    "Cards live in the encrypted vault on the server: `partners-bot cards import card.json`."
)


def usage_for(words: list[str]) -> str:
    """The usage, after saying what was wrong with `words` (nothing for `help`)."""
    first = words[0]
    if first.lower() == "help" and len(words) == 1:
        return USAGE
    if first.isdigit():
        problem = (
            f"`/subscribe` takes no license number: run `/subscribe` on its own and press "
            f"*Create subscription* next to license {first}."
        )
    else:
        problem = f"`{truncate(first, 40)}` is not a `/subscribe` subcommand."
    return f"{problem}\n\n{USAGE}"


PUSH_LATE_SECONDS = 1.0  # how long to give Slack to apply a pushed view before taking not_found as closed
LICENSE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
LONG_ID = re.compile(r"^[A-Za-z0-9_-]+$")
LONG_ID_TEXT = (
    "This license id is longer than the 64 characters Partners Bot can subscribe, so nothing was "
    "opened or sent. Subscribe it in LiveChat's Partner app instead."
)


async def reader_zone(services: Services, user_id: str) -> ZoneInfo:
    """The zone of whoever typed `/subscribe` (the list is ephemeral: theirs alone); UTC if unknown."""
    return (await user_zone(services.slack, user_id))[0]


async def send_license_list(services: Services, command: dict[str, Any]) -> None:
    response_url = command["response_url"]
    # users.info runs while the licenses are read, so the zone costs no extra wait.
    zone = asyncio.ensure_future(reader_zone(services, command.get("user_id") or ""))
    try:
        try:
            licenses = [lic for lic in await services.partners.licenses() if lic.subscribable]
        except PartnersError as exc:
            log.warning("/subscribe could not list licenses: %r", exc, exc_info=True)
            await reply(services.http, response_url, partners_error_text(exc))
            return
        unconfirmed = await services.subscriptions.unconfirmed([lic.license for lic in licenses])
        message = license_list_message(
            licenses,
            now=services.clock.now(),
            zone=await zone,
            vault_note=services.vault.problem,
            unconfirmed=unconfirmed,
        )
    finally:
        zone.cancel()  # a no-op once awaited; else nobody needs the zone any more
    await reply(services.http, response_url, message)


async def views_update_error(
    services: Services,
    view: dict[str, Any],
    *,
    view_id: str | None = None,
    external_id: str | None = None,
    hash: str | None = None,
) -> str | None:
    """Update the modal named by `view_id` or `external_id`; None when done, else why not (logged)."""
    target = view_id or external_id
    try:
        await services.slack.views_update(view_id=view_id, external_id=external_id, view=view, hash=hash)
    except SlackApiError as exc:
        error = error_code(exc)
        log.warning("views.update of %s failed: %s", target, error)
        return error
    except Exception:
        # A timeout or a dropped connection: the caller tells the user another way.
        log.warning("views.update of %s did not complete", target, exc_info=True)
        return "incomplete"
    return None


async def update_view(
    services: Services, view_id: str, view: dict[str, Any], *, hash: str | None = None
) -> bool:
    return await views_update_error(services, view, view_id=view_id, hash=hash) is None


async def fill_form(
    services: Services, channel_id: str | None, license_id: str, view_id: str, hash: str | None
) -> None:
    """Replace the loading modal with the form, or with why there is nothing to do."""
    try:
        details = await services.partners.license(license_id)
    except PartnersError as exc:
        log.warning("/subscribe could not read license %s: %r", license_id, exc, exc_info=True)
        await update_view(services, view_id, message_view(partners_error_text(exc)), hash=hash)
        return
    if details.paid:
        await update_view(
            services, view_id, message_view(f"License {license_id} is already subscribed."), hash=hash
        )
        return
    if not details.subscribable:
        text = f"License {license_id} cannot be subscribed by the partner (its trial expired, or the client pays)."
        await update_view(services, view_id, message_view(text), hash=hash)
        return
    try:
        cards = await services.vault.open().list()
    except VaultKeyError as exc:
        await update_view(services, view_id, no_cards_view(str(exc)), hash=hash)
        return
    if not cards:
        await update_view(services, view_id, no_cards_view(None), hash=hash)
        return
    view = form_view(
        license_id=license_id,
        client_name=details.client_name,
        channel_id=channel_id,
        cards=cards,
        plan_prices=services.settings.plan_prices,
        locale=services.settings.locale,
        seats=details.seats,
        plan=details.plan,
        billing_cycle=details.billing_cycle,
    )
    if not await update_view(services, view_id, view, hash=hash):
        # Never leave the admin looking at "Loading…": say something failed instead.
        await update_view(services, view_id, message_view(f"The form could not be shown. {UNEXPECTED}"))


async def review_outcome_view(services: Services, order: Order, user_id: str) -> dict[str, Any]:
    """What replaces "Checking…": the confirmation, why the order cannot go on, or what failed."""
    settings = services.settings
    price = price_of(settings.plan_prices, order.plan, order.seats, order.billing_cycle)
    try:
        # A fresh read of the license and the card, stored server-side: Confirm executes only what
        # this shows. No deadline of our own: the ack has already answered Slack, and the Partners
        # client's timeouts bound the read.
        refused = await services.subscriptions.review(
            order, user_id, price_shown=price.describe() if price else ""
        )
    except PartnersError as exc:
        log.warning("review of license %s failed: %r", order.license_id, exc, exc_info=True)
        return message_view(partners_error_text(exc))
    except Exception:
        log.exception("review of license %s failed unexpectedly", order.license_id)
        return message_view(UNEXPECTED)
    if refused is not None:
        return result_view(order, refused)
    return confirmation_view(order, settings.plan_prices, settings.locale)


async def finish_review(services: Services, order: Order, user_id: str, acked_at: float) -> None:
    """Review after the ack, then turn the pushed "Checking…" modal into its outcome."""
    view = await review_outcome_view(services, order, user_id)
    # The push must have landed before its view can be addressed by external id.
    await after_ack_settles(acked_at)
    external_id = review_external_id(order)
    error = await views_update_error(services, view, external_id=external_id)
    if error == "not_found":
        # Either the admin closed the modal, or Slack has not applied the push yet (a slow
        # moment on its side): one later try tells the two apart.
        await asyncio.sleep(PUSH_LATE_SECONDS)
        error = await views_update_error(services, view, external_id=external_id)
    if error is None or error == "not_found":
        # Shown, or the admin closed the modal: review never sends anything to LiveChat, so there
        # is nothing else to tell (the stored review simply expires).
        return
    # Slack refused that view or the call broke: never leave the admin on "Checking…".
    await views_update_error(
        services, message_view(f"The review could not be shown. {UNEXPECTED}"), external_id=external_id
    )


async def announce(services: Services, order: Order, user_id: str) -> None:
    """The success note in the channel the command came from, else as a DM to the admin."""
    note = success_note(order, user_id)
    if order.channel_id:
        try:
            await services.slack.chat_postMessage(channel=order.channel_id, **note)
            return
        except SlackApiError as exc:
            error = error_code(exc)
            if error not in CHANNEL_ERRORS:
                log.warning("success note to %s failed: %s", order.channel_id, error, exc_info=True)
        except Exception:
            log.warning("success note to %s did not complete", order.channel_id, exc_info=True)
    try:
        await services.slack.chat_postMessage(channel=user_id, **note)
    except Exception:
        log.warning("success note by DM to %s failed", user_id, exc_info=True)


async def tell_result(services: Services, view_id: str, order: Order, result: Result, user_id: str) -> None:
    """The result by the first way that works: the modal, else a DM, else an ephemeral message in
    the channel /subscribe ran in. (Not a response URL: Slack sends a modal's submission one only
    for a conversation picker with `response_url_enabled`, which this form does not have.)"""
    if await update_view(services, view_id, result_view(order, result)):
        return
    text = result_text(order, result)
    try:
        await services.slack.chat_postMessage(channel=user_id, text=text)
        return
    except Exception:
        log.warning("could not DM %s the subscription result", user_id, exc_info=True)
    if order.channel_id:
        try:
            await services.slack.chat_postEphemeral(channel=order.channel_id, user=user_id, text=text)
            return
        except Exception:
            log.warning("could not tell %s the subscription result in %s", user_id, order.channel_id)
    log.error("subscription result for license %s reached nobody: %s", order.license_id, result.reason)


def register(app: AsyncApp, services: Services) -> None:
    """Bind `/subscribe`, its Create subscription buttons and both modals."""
    service = services.subscriptions
    is_admin = services.access.is_admin

    @app.command("/subscribe")
    async def subscribe_command(ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext) -> None:
        words = (command.get("text") or "").split()
        if words and words[0].lower() == "alerts":
            await ack()
            await alerts.subcommand(services, command, words[1:])
            return
        if words:
            # `/subscribe help`: the usage; anything else: what was wrong first, then the usage.
            await ack(**ack_body(usage_for(words)))
            return
        if not is_admin(acting_user(context, command)):
            await ack(**ack_body(ADMINS_ONLY))
            return
        await ack()
        try:
            await send_license_list(services, command)
        except Exception:
            log.exception("/subscribe failed")
            await reply(services.http, command.get("response_url"), UNEXPECTED)

    @app.action(re.compile("^" + re.escape(OPEN_ACTION_PREFIX)))
    async def create_clicked(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await ack()
        user_id = acting_user(context, body)
        response_url = body.get("response_url")
        if not is_admin(user_id):
            log.info("refused subscription form for %s (not an admin)", user_id)
            await reply(services.http, response_url, ADMINS_ONLY)
            return
        license_id = str((body.get("actions") or [{}])[0].get("value") or "")
        if not LICENSE_ID.match(license_id):
            text = "That button does not name a license; run /subscribe again."
            if len(license_id) > 64 and LONG_ID.match(license_id):
                text = LONG_ID_TEXT
            await reply(services.http, response_url, text)
            return
        try:
            opened = await services.slack.views_open(trigger_id=body.get("trigger_id"), view=loading_view())
        except SlackApiError as exc:
            log.warning("views.open for the subscription form failed: %s", error_code(exc))
            await reply(
                services.http, response_url, "Slack did not open the form in time; press the button again."
            )
            return
        view = opened["view"]
        try:
            await fill_form(services, acting_channel(context, body), license_id, view["id"], view.get("hash"))
        except Exception:
            log.exception("filling the subscription form failed")
            await update_view(services, view["id"], message_view(UNEXPECTED))

    @app.view(FORM_CALLBACK)
    async def form_submitted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        user_id = acting_user(context, body)
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
        # Everything above is local and answers in the ack; the review reads LiveChat, so it runs
        # after an ack that pushes "Checking…" (Slack allows 3 s, LiveChat may take longer).
        await ack(response_action="push", view=reviewing_view(order))
        await finish_review(services, order, user_id or "", ack_time())

    @app.view(CONFIRM_CALLBACK)
    async def confirmed(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        user_id = acting_user(context, body) or ""
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

        async def checking(status: int | None) -> None:
            await after_ack_settles(acked_at)
            text = checking_text(status, service.verify_seconds)
            await update_view(services, view_id, progress_view(order, text))

        # The service has recorded the outcome (claim and audit) before it returns; from here on only
        # the telling is left, and no Slack failure can undo or repeat what happened.
        result = await service.confirm(order, user_id, on_unknown=checking)
        await after_ack_settles(acked_at)
        await tell_result(services, view_id, order, result, user_id)
        if result.fresh and result.outcome is Outcome.CREATED:
            await announce(services, order, user_id)
        if result.outcome is Outcome.CREATED:
            try:
                await subscription_created(services.alert_store, services.slack, order.license_id, user_id)
            except Exception:
                log.exception("could not mark trial alerts of %s as subscribed", order.license_id)
