"""`/campaign`: create an affiliate campaign from a modal, list campaigns, disable one.

Listeners ack first and then work. The modal opens with the trigger id before any API call (the
trigger dies after 3 s) and is filled with coupons by `views.update` when they arrive. A valid
submission is acked with a "Creating campaign…" view; the POST happens once per submission
(`CampaignService.once`), and the view is then updated with the campaign or with the form and its problems.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError

from bot.campaigns.create import MAYBE_CREATED
from bot.campaigns.form import CampaignRequest, FormValues, read_form, submission_key, validate_form
from bot.partners.errors import PartnersError, PartnersForbidden, PartnersUnavailable
from bot.partners.models import Campaign
from bot.slack.blocks import notice_message
from bot.slack.context import acting_channel, acting_user
from bot.slack.errors import error_code
from bot.slack.mrkdwn import escape
from bot.slack.respond import ack_body, reply
from bot.slack.views import ack_time, after_ack_settles
from handlers import campaign_stats
from handlers.campaign_views import (
    CANCEL_ACTION_ID,
    CREATE_CALLBACK_ID,
    DISABLE_ACTION_PREFIX,
    MORE_ACTION_ID,
    PREVIOUS_ACTION_ID,
    USAGE,
    CouponChoices,
    StateFilter,
    announcement_message,
    argument_problem,
    campaign_list_message,
    create_modal,
    decode_metadata,
    disable_confirmation,
    find_campaigns,
    not_found_message,
    parse_disable_value,
    parse_page_value,
    result_view,
    working_view,
    wrong_arguments,
)
from handlers.messages import UNEXPECTED, partners_error_text

if TYPE_CHECKING:
    # Annotations only: bot.services (the composition root) imports the handlers' wording.
    from bot.services import Services

log = logging.getLogger(__name__)

RESTORE_COUPONS_TIMEOUT = 2.0
SHARING_NOTE = "The links are being shared in the channel (or sent to you by direct message)."
INTERRUPTED_NOTE = (
    "An earlier attempt at this submission was interrupted after LiveChat created the campaign, "
    "so nothing was sent again. Its links may not have been shared yet: copy them from here."
)


def coupon_label(services: Services, coupon_id: int | None) -> str | None:
    if coupon_id is None:
        return None
    for coupon in services.partners.coupons_cache.peek("coupons") or []:
        if coupon.id == coupon_id:
            return coupon.label
    return f"Coupon #{coupon_id}"


async def coupon_choices(services: Services, *, timeout: float | None = None) -> CouponChoices:
    """The coupons for the form, or why there are none (the form works without them)."""
    try:
        coupons = await asyncio.wait_for(services.partners.coupons(), timeout)
    except PartnersError as exc:
        log.warning("coupons could not be loaded: %r", exc, exc_info=True)
        return CouponChoices(problem=partners_error_text(exc))
    except TimeoutError:
        log.warning("coupons did not arrive within %.1fs", timeout or 0)
        return CouponChoices(problem="LiveChat's Partners API is slow to answer.")
    return CouponChoices.ready(coupons)


# ------------------------------------------------------------------------------------ create


async def open_create_modal(services: Services, command: dict[str, Any], channel_id: str | None) -> None:
    """Open the form at once (with coupons if cached, else loading), then fill coupons in."""
    cached = services.partners.coupons_cache.peek("coupons")
    choices = CouponChoices.ready(cached) if cached is not None else CouponChoices(loading=True)
    try:
        opened = await services.slack.views_open(
            trigger_id=command["trigger_id"], view=create_modal(channel_id=channel_id, coupons=choices)
        )
    except SlackApiError as exc:
        log.exception("views.open for /campaign failed")
        await reply(
            services.http,
            command.get("response_url"),
            f"I could not open the campaign form ({error_code(exc)}). Try `/campaign` again.",
        )
        return
    if cached is not None:
        return
    view = opened["view"]
    filled = create_modal(channel_id=channel_id, coupons=await coupon_choices(services))
    try:
        # The hash makes Slack refuse this update if the user already submitted the form.
        await services.slack.views_update(view_id=view["id"], hash=view["hash"], view=filled)
    except SlackApiError as exc:
        if error_code(exc) in ("hash_conflict", "not_found"):
            log.info("campaign form changed or closed before coupons arrived (%s)", error_code(exc))
        else:
            log.exception("views.update with coupons failed")


async def announce(
    services: Services, campaign: Campaign, *, channel_id: str | None, user_id: str, coupon: str | None
) -> str:
    """Post the new campaign's links where `/campaign` was typed, else to the creator's DM.

    Returns the sentence the result view shows about where the links went. Never raises: the
    campaign exists whatever Slack does, so a failure (a timeout included) only changes that sentence.
    """
    problem = "the command did not come from a channel"
    if channel_id:
        message = announcement_message(campaign, created_by=user_id, coupon_label=coupon)
        try:
            await services.slack.chat_postMessage(channel=channel_id, **message)
            return f"The links were shared in <#{channel_id}>."
        except SlackApiError as exc:
            problem = f"I can't post in <#{channel_id}> (`{error_code(exc)}`)"
            log.warning("campaign announcement to %s failed: %s", channel_id, error_code(exc), exc_info=True)
        except Exception:
            # A timeout: the post may or may not have landed, so the links also go by DM.
            problem = f"Slack did not confirm the post in <#{channel_id}> in time"
            log.warning("campaign announcement to %s did not complete", channel_id, exc_info=True)
    preface = f"{problem}, so here are your new campaign's links."
    message = announcement_message(campaign, created_by=user_id, coupon_label=coupon, preface=preface)
    try:
        opened = await services.slack.conversations_open(users=user_id)
        await services.slack.chat_postMessage(channel=opened["channel"]["id"], **message)
    except Exception as exc:
        log.warning("campaign links DM to %s failed", user_id, exc_info=True)
        code = f" (`{error_code(exc)}`)" if isinstance(exc, SlackApiError) else ""
        return f"{problem}, and a direct message failed too{code}. Copy the links from here."
    return f"{problem}, so I sent you the links in a direct message. Invite me with `/invite @Partners Bot` to share there."


async def create_and_describe(
    services: Services, request: CampaignRequest, form: FormValues, *, channel_id: str | None, user_id: str
) -> dict[str, Any]:
    """POST the campaign and return what the modal shows next: `{"view": …, "text": …}`."""
    outcome = await services.campaigns.create(request)
    if outcome.campaign is not None:
        campaign = outcome.campaign
        label = coupon_label(services, request.coupon_id)
        log.info("campaign %s/%s created by %s", campaign.product, campaign.slug, user_id)
        # This is recorded as the submission's outcome before anything is posted to Slack, so no
        # Slack failure afterwards can release the claim or make a retry POST it again.
        return {
            "view": result_view(campaign, coupon_label=label, delivery_note=SHARING_NOTE),
            "text": f"Campaign {campaign.name} created: {campaign.short_url or campaign.url}",
            "created": campaign.model_dump(mode="json"),
            "coupon": label,
        }
    general = outcome.general
    if outcome.error is not None:
        error = outcome.error
        log.warning("campaign create failed: %r", error, exc_info=(type(error), error, error.__traceback__))
        if general is None:
            general = (
                f"The campaign was not created. {partners_error_text(error)} Your entries are kept below."
            )
    if outcome.field_errors and general is None:
        general = "LiveChat did not accept the campaign. Fix the marked fields and submit again."
    choices = await coupon_choices(services, timeout=RESTORE_COUPONS_TIMEOUT)
    view = create_modal(
        channel_id=channel_id,
        coupons=choices,
        values=form,
        field_errors=outcome.field_errors,
        general=general,
    )
    problems = "; ".join([general or "", *outcome.field_errors.values()]).strip("; ")
    # A write that may have been applied (timeout, unreadable 2xx) is never called "not created".
    applied = isinstance(outcome.error, PartnersUnavailable) and outcome.error.maybe_applied
    verdict = "may exist" if applied else "was not created"
    return {"view": view, "text": f"Campaign {request.name} {verdict}: {problems}"}


async def settle_interrupted(
    services: Services, request: CampaignRequest, form: FormValues, *, channel_id: str | None
) -> dict[str, Any] | None:
    """A submission whose first attempt died before recording its outcome: is the campaign there?

    None when LiveChat shows no such campaign (it was never created, so it may be POSTed now).
    """
    try:
        campaign = await services.campaigns.find_created(request)
    except PartnersError as exc:
        log.warning("could not check whether an interrupted campaign exists: %r", exc, exc_info=True)
        choices = await coupon_choices(services, timeout=RESTORE_COUPONS_TIMEOUT)
        view = create_modal(channel_id=channel_id, coupons=choices, values=form, general=MAYBE_CREATED)
        return {"view": view, "text": MAYBE_CREATED}
    if campaign is None:
        return None
    log.info(
        "interrupted submission: campaign %s/%s exists; not posting again", campaign.product, campaign.slug
    )
    label = coupon_label(services, request.coupon_id)
    return {
        "view": result_view(campaign, coupon_label=label, delivery_note=INTERRUPTED_NOTE),
        "text": f"Campaign {campaign.name} exists: {campaign.short_url or campaign.url}",
    }


async def finish_submission(
    services: Services,
    *,
    view: dict[str, Any],
    user_id: str,
    request: CampaignRequest,
    form: FormValues,
    acked_at: float,
) -> None:
    channel_id = decode_metadata(view.get("private_metadata"))
    key = submission_key(view["id"], view.get("hash", ""), request)
    ran = False

    async def work() -> dict[str, Any]:
        nonlocal ran
        ran = True
        return await create_and_describe(services, request, form, channel_id=channel_id, user_id=user_id)

    try:
        outcome = await services.campaigns.once(
            key,
            work,
            settle_takeover=lambda: settle_interrupted(services, request, form, channel_id=channel_id),
            wait_seconds=services.settings.partners_timeout + 20,
        )
    except Exception:
        log.exception("campaign submission failed")
        choices = await coupon_choices(services, timeout=RESTORE_COUPONS_TIMEOUT)
        general = f"The campaign may not have been created. {UNEXPECTED} Your entries are kept below."
        outcome = {
            "view": create_modal(channel_id=channel_id, coupons=choices, values=form, general=general),
            "text": general,
        }
    if outcome is None:
        log.info("duplicate campaign submission gave up waiting; the first attempt updates the view")
        return
    if ran and outcome.get("created"):
        # Only the attempt that created it shares the links (a duplicate shows the recorded view).
        campaign = Campaign.model_validate(outcome["created"])
        label = outcome.get("coupon")
        note = await announce(services, campaign, channel_id=channel_id, user_id=user_id, coupon=label)
        outcome = {**outcome, "view": result_view(campaign, coupon_label=label, delivery_note=note)}
    await after_ack_settles(acked_at)
    await show_outcome(services, view["id"], user_id, outcome)


async def show_outcome(services: Services, view_id: str, user_id: str, outcome: dict[str, Any]) -> None:
    """The outcome in the modal, else by DM; a Slack failure (timeouts included) is logged, never raised."""
    try:
        await services.slack.views_update(view_id=view_id, view=outcome["view"])
        return
    except Exception:
        log.warning("views.update with the campaign outcome failed; telling %s by DM", user_id, exc_info=True)
    try:
        await services.slack.chat_postMessage(channel=user_id, text=outcome["text"])
    except Exception:
        log.warning("DM with the campaign outcome failed too", exc_info=True)


# ------------------------------------------------------------------------------------ list and disable


async def send_list(
    services: Services, response_url: str | None, *, page: int, state: StateFilter, replace: bool = False
) -> None:
    try:
        campaigns = await (services.partners.campaigns(state) if state else services.partners.all_campaigns())
    except PartnersError as exc:
        log.warning("/campaign list failed: %r", exc, exc_info=True)
        message = notice_message(partners_error_text(exc))
        replace = False
    else:
        message = campaign_list_message(campaigns, page=page, state=state)
    await reply(services.http, response_url, message, replace=replace)


async def ask_disable(services: Services, command: dict[str, Any], wanted: str) -> None:
    response_url = command.get("response_url")
    try:
        campaigns = await services.partners.all_campaigns()
    except PartnersError as exc:
        log.warning("/campaign disable lookup failed: %r", exc, exc_info=True)
        await reply(services.http, response_url, partners_error_text(exc))
        return
    matches = find_campaigns(campaigns, wanted)
    active = [c for c in matches if c.active]
    if active:
        message = disable_confirmation(active)
    else:
        message = not_found_message(wanted, disabled=matches[0] if matches else None)
    await reply(services.http, response_url, message)


async def disable_clicked(
    services: Services, body: dict[str, Any], user_id: str | None, value: str | None
) -> None:
    response_url = body.get("response_url")
    target = parse_disable_value(value)
    if target is None:
        log.warning("Disable button with an unreadable value: %r", (value or "")[:100])
        await reply(services.http, response_url, f"That button is out of date. {UNEXPECTED}")
        return
    product, slug, name = target
    try:
        await services.partners.disable_campaign(product=product, slug=slug)
    except PartnersForbidden:
        log.info("disable %s/%s: 403 (unknown or already disabled)", product, slug, exc_info=True)
        text = f"No active campaign with that slug: `{escape(slug)}` is unknown or already disabled. See `/campaign list`."
        await reply(services.http, response_url, text, replace=True)
        return
    except PartnersError as exc:
        log.warning("disable %s/%s failed: %r", product, slug, exc, exc_info=True)
        await reply(services.http, response_url, f"Nothing was disabled. {partners_error_text(exc)}")
        return
    log.info("campaign %s/%s disabled by %s", product, slug, user_id)
    text = f":no_entry: Disabled *{escape(name)}* (`{escape(slug)}`). New visits through its links no longer earn commission."
    await reply(services.http, response_url, text, replace=True)


def register(app: AsyncApp, services: Services) -> None:
    """Bind `/campaign`, the create modal's submission, and the list/disable buttons."""

    @app.command("/campaign")
    async def campaign_command(ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext) -> None:
        words = (command.get("text") or "").split()
        sub = words[0].lower() if words else "new"
        problem = argument_problem(words)
        if sub == "help" and len(words) == 1:
            await ack(**ack_body(USAGE))
        elif problem is not None:
            await ack(**ack_body(wrong_arguments(problem)))
        elif sub == "new":
            await ack()
            await open_create_modal(services, command, acting_channel(context, command))
        elif sub == "list":
            state = words[1].lower() if len(words) == 2 else None
            await ack()
            await send_list(services, command.get("response_url"), page=1, state=state)  # type: ignore[arg-type]
        elif sub == "stats":
            await ack()
            await campaign_stats.subcommand(services, command, words[1:])
        else:  # disable, with a name (argument_problem checked it)
            await ack()
            await ask_disable(services, command, " ".join(words[1:]))

    @app.view(CREATE_CALLBACK_ID)
    async def create_submitted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        form = read_form(view.get("state", {}).get("values", {}))
        checked = validate_form(form)
        if isinstance(checked, dict):
            await ack(response_action="errors", errors=checked)
            return
        channel_id = decode_metadata(view.get("private_metadata"))
        await ack(response_action="update", view=working_view(checked.name, channel_id))
        acked_at = ack_time()
        await finish_submission(
            services,
            view=view,
            user_id=acting_user(context, body) or "",
            request=checked,
            form=form,
            acked_at=acked_at,
        )

    @app.action(re.compile(f"^({re.escape(MORE_ACTION_ID)}|{re.escape(PREVIOUS_ACTION_ID)})$"))
    async def page_clicked(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        page, state = parse_page_value(action.get("value"))
        await send_list(services, body.get("response_url"), page=page, state=state, replace=True)

    @app.action(re.compile(f"^{re.escape(DISABLE_ACTION_PREFIX)}\\d+$"))
    async def disable_button(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        await disable_clicked(services, body, acting_user(context, body), action.get("value"))

    @app.action(CANCEL_ACTION_ID)
    async def cancel_clicked(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        await reply(
            services.http,
            body.get("response_url"),
            "Cancelled; nothing was disabled.",
            replace=True,
        )
