"""Block Kit for `/subscribe`: pure functions from cards and orders to views and messages.

The license list the command answers with is in handlers/subscribe_list_blocks.py.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bot.money import format_money
from bot.slack.blocks import (
    Json,
    context,
    field,
    input_block,
    message,
    modal,
    option,
    options,
    placeholder,
    section,
    truncate,
)
from bot.slack.mrkdwn import escape
from bot.subscriptions.orders import MAX_SEATS, PLAN_NAMES, PLANS, Order, Price, price_of
from bot.subscriptions.service import Outcome, Reason, Result
from bot.vault import CardSummary

OPEN_ACTION_PREFIX = "subscribe_open:"
FORM_CALLBACK = "subscribe_form"
CONFIRM_CALLBACK = "subscribe_confirm"
REVIEWING_CALLBACK = "subscribe_reviewing"  # no submit button, so no listener: nothing submits it
RESULT_CALLBACK = "subscribe_result"
IMPORT_HINT = (
    "An admin adds the agency's card on the server with `partners-bot cards import card.json` "
    "(see `partners-bot cards --help`)."
)


MAX_CLIENT_NAME = 200  # what an order keeps; longer upstream names end with "…"
MAX_SHOWN_ID = 80


def client_text(name: str, fallback: str = "Unnamed client") -> str:
    """A client name as mrkdwn: escaped, and cut with "…" so a huge upstream name stays readable."""
    return escape(truncate(name or fallback, MAX_CLIENT_NAME))


def id_text(license_id: str) -> str:
    return escape(truncate(license_id, MAX_SHOWN_ID))


def short_hash(value: str) -> str:
    """A short, stable id part for `value` (Slack ids stop at 255 and must be unique per message)."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]


# --- modal plumbing --------------------------------------------------------------------------------


def _modal(
    title: str, blocks: list[Json], *, callback_id: str = RESULT_CALLBACK, close: str = "Close", **extra: Any
) -> Json:
    return modal(title, blocks, callback_id=callback_id, close=close, **extra)


def message_view(text: str, *, title: str = "Subscription") -> Json:
    """A modal that only says something (errors, refusals, nothing to do)."""
    return _modal(title, [section(text)], clear_on_close=True)


def loading_view() -> Json:
    """Opened at once with the trigger id (it lives 3 s); the form replaces it."""
    return _modal("Create subscription", [section("Loading the license and the card vault…")])


def form_metadata(license_id: str, client_name: str, channel_id: str | None) -> str:
    client = truncate(client_name, MAX_CLIENT_NAME)
    return json.dumps({"license": license_id, "client": client, "channel": channel_id})


def parse_form_metadata(raw: str | None) -> dict[str, Any] | None:
    try:
        data = json.loads(raw or "")
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("license"), str):
        return None
    return data


def card_option_value(card: CardSummary) -> str:
    return f"{card.last4}:{card.label}"


def split_card_value(value: str) -> tuple[str, str]:
    """(last4, label) from a card option's value."""
    last4, _, label = value.partition(":")
    return (last4, label) if label else ("", value)


def _plan_option(plan: str, plan_prices: dict[str, Any], locale: str) -> Json:
    text = PLAN_NAMES[plan]
    if plan in plan_prices:
        text += f" — {format_money(plan_prices[plan], locale)} per seat per month"
    return option(text, plan)


def no_cards_view(reason: str | None) -> Json:
    """The modal when there is nothing to pay with: why, and how to add a card."""
    text = f"*There is no card to pay with.* {reason or 'The card vault is empty.'}\n\n{IMPORT_HINT}"
    return message_view(text, title="Create subscription")


def form_view(
    *,
    license_id: str,
    client_name: str,
    channel_id: str | None,
    cards: Sequence[CardSummary],
    plan_prices: dict[str, Any],
    locale: str,
    seats: int | None = None,
    plan: str | None = None,
    billing_cycle: str | None = None,
) -> Json:
    """Plan, seats, billing cycle and card; Review pushes "Checking…", which becomes the confirmation.

    The trial's own plan, seats and cycle (when LiveChat gives them) are preselected: the admin who
    came from a trial alert naming "Team plan" should not have to pick it again.
    """
    cycle_options = [option("Monthly", "monthly"), option("Annual — 15% off", "annual")]
    plan_options = options(_plan_option(p, plan_prices, locale) for p in PLANS)
    chosen_plan = [o for o in plan_options if o["value"] == (plan or "").strip().lower()]
    chosen_cycle = [o for o in cycle_options if o["value"] == (billing_cycle or "").strip().lower()]
    card_options = options(
        option(f"{c.label} · {c.brand} •••• {c.last4}", card_option_value(c)) for c in cards
    )
    initial_seats = str(seats) if seats and 1 <= seats <= MAX_SEATS else "1"
    blocks: list[Json] = [
        section(f"*{client_text(client_name)}*\nLiveChat license {id_text(license_id)}"),
        input_block(
            "Plan",
            {
                "type": "static_select",
                "action_id": "plan",
                "placeholder": placeholder("Choose a plan"),
                "options": plan_options,
                **({"initial_option": chosen_plan[0]} if chosen_plan else {}),
            },
            block_id="plan",
        ),
        input_block(
            "Seats",
            {
                "type": "number_input",
                "action_id": "seats",
                "is_decimal_allowed": False,
                "min_value": "1",
                "max_value": str(MAX_SEATS),
                "initial_value": initial_seats,
            },
            block_id="seats",
            hint=f"Agents who can chat at the same time, 1–{MAX_SEATS}.",
        ),
        input_block(
            "Billing cycle",
            {
                "type": "radio_buttons",
                "action_id": "billing_cycle",
                "options": cycle_options,
                "initial_option": (chosen_cycle or cycle_options)[0],
            },
            block_id="billing_cycle",
        ),
        input_block(
            "Card",
            {
                "type": "static_select",
                "action_id": "card",
                "placeholder": placeholder("Choose a card"),
                "options": card_options,
                **({"initial_option": card_options[0]} if len(card_options) == 1 else {}),
            },
            block_id="card",
        ),
        context("Nothing is charged yet: you will confirm on the next screen."),
    ]
    return _modal(
        "Create subscription",
        blocks,
        callback_id=FORM_CALLBACK,
        submit="Review",
        close="Cancel",
        private_metadata=form_metadata(license_id, client_name, channel_id),
    )


def read_answers(values: dict[str, Any]) -> dict[str, Any]:
    """The form's `view.state.values` as plain answers keyed by block_id (missing ones left out)."""

    def element(block_id: str) -> dict[str, Any]:
        block = values.get(block_id)
        if not isinstance(block, dict):
            return {}
        found = block.get(block_id) or next(iter(block.values()), {})
        return found if isinstance(found, dict) else {}

    answers: dict[str, Any] = {}
    for block_id in ("plan", "billing_cycle", "card"):
        selected = element(block_id).get("selected_option") or {}
        if isinstance(selected, dict) and selected.get("value"):
            answers[block_id] = selected["value"]
    seats = element("seats").get("value")
    if seats not in (None, ""):
        answers["seats"] = seats
    return answers


# --- confirmation, progress, result ---------------------------------------------------------------


def price_text(price: Price | None, locale: str) -> str:
    if price is None:
        return "as on your LiveChat price list (set PLAN_PRICES to see it here)"
    total = format_money(price.amount, locale)
    per_seat = format_money(price.per_seat_month, locale)
    if price.period == "year":
        return f"{total} per year ({per_seat} per seat per month, 15% off)"
    return f"{total} per month ({per_seat} per seat)"


def order_fields(order: Order) -> list[Json]:
    seats = "1 seat" if order.seats == 1 else f"{order.seats} seats"
    card = f"ending {order.card_last4}" if order.card_last4 else escape(order.card_label)
    return [
        field(f"*Client*\n{client_text(order.client_name)}"),
        field(f"*License*\n{order.license_id}"),
        field(f"*Plan*\n{PLAN_NAMES[order.plan]}"),
        field(f"*Seats*\n{seats}"),
        field(f"*Billing*\n{order.billing_cycle.capitalize()}"),
        field(f"*Card*\n{card}"),
    ]


def existing_fields(order: Order, result: Result) -> list[Json]:
    """The subscription LiveChat shows for the license (not the one just attempted)."""
    unknown = "not shown by LiveChat"
    plan = (
        PLAN_NAMES.get(result.existing_plan, escape(result.existing_plan))
        if result.existing_plan
        else unknown
    )
    seats = result.existing_seats
    seat_text = unknown if seats is None else ("1 seat" if seats == 1 else f"{seats} seats")
    cycle = escape(result.existing_cycle.capitalize()) if result.existing_cycle else unknown
    return [
        field(f"*Client*\n{client_text(order.client_name)}"),
        field(f"*License*\n{order.license_id}"),
        field(f"*Plan now*\n{plan}"),
        field(f"*Seats now*\n{seat_text}"),
        field(f"*Billing now*\n{cycle}"),
    ]


def review_external_id(order: Order) -> str:
    """The external id of this review's "Checking…" modal: a push ack does not return the view id,
    so the update after the review addresses the view by this (unique per review, as Slack wants)."""
    return f"subscribe-review-{order.request_id}"


def reviewing_view(order: Order) -> Json:
    """Pushed by Review's ack at once, before anything slow; the review's outcome replaces it."""
    card = f"the card ending {order.card_last4}" if order.card_last4 else "the card"
    text = (
        f":hourglass_flowing_sand: *Checking…*\nRe-reading license {id_text(order.license_id)} from "
        f"LiveChat and {card} from the vault. Nothing is charged: the price and *Confirm* come next."
    )
    return _modal(
        "Checking the order",
        [section(text), section(fields=order_fields(order))],
        callback_id=REVIEWING_CALLBACK,
        close="Back",
        external_id=review_external_id(order),
    )


def confirmation_view(order: Order, plan_prices: dict[str, Any], locale: str) -> Json:
    """The last step before money moves: everything that will be sent, and the price."""
    price = price_of(plan_prices, order.plan, order.seats, order.billing_cycle)
    blocks = [
        section("*Please check before confirming.* Only *Confirm* sends anything."),
        section(fields=order_fields(order)),
        section(f"*Price:* {price_text(price, locale)}"),
        context("Press Back to change something."),
    ]
    return _modal(
        "Confirm subscription",
        blocks,
        callback_id=CONFIRM_CALLBACK,
        submit="Confirm",
        close="Back",
        private_metadata=order.model_dump_json(),
    )


def parse_order(raw: str | None) -> Order | None:
    try:
        return Order.model_validate_json(raw or "")
    except ValueError:
        return None


def progress_view(order: Order, text: str = "Subscribing…") -> Json:
    blocks = [section(f":hourglass_flowing_sand: *{text}*"), section(fields=order_fields(order))]
    return _modal("Subscription", blocks, clear_on_close=True)


RESULT_TITLES = {
    Outcome.CREATED: ":white_check_mark: *Subscribed.*",
    Outcome.ALREADY: ":information_source: *Already subscribed.*",
    Outcome.UNKNOWN: ":hourglass: *Not confirmed yet.*",
    Outcome.BUSY: ":hourglass: *Already in progress.*",
    Outcome.NOT_CREATED: ":x: *Not subscribed.*",
    Outcome.REFUSED: ":no_entry: *Not sent — nothing was charged.*",
}


# What each fact means to the admin. Reasons not listed carry their own safe sentence in `detail`.
REASON_TEXTS = {
    Reason.CREATED: "The subscription was created.",
    Reason.CREATED_AFTER_SLOW_ANSWER: "The subscription was created (LiveChat confirmed it after a slow answer).",
    Reason.LICENSE_PAID: "This license is already subscribed — nothing was charged again.",
    Reason.CONFIRMED_PAID: "LiveChat confirms this license has a subscription now.",
    Reason.LICENSE_NOT_FOUND: (
        "LiveChat could not find this license (license not found). It may have been removed."
    ),
    Reason.NOT_SUBSCRIBABLE: (
        "This license can no longer be subscribed by the partner (its trial expired, it is paid, or the "
        "client pays)."
    ),
    Reason.STILL_RUNNING: (
        "Another attempt for this license is still running (or was interrupted moments ago), so nothing "
        "more was sent. Its result is posted in the channel; if none appears, try again in a few minutes."
    ),
    Reason.CONTENDED: "Another attempt for this license is running; try again in a minute.",
    Reason.REDIRECTED: (
        "Not created — LiveChat answered with a redirect, which the bot never follows for payments, so "
        "nothing was sent on and nothing was charged. Ask an admin to check PARTNERS_API_URL."
    ),
    Reason.UNEXPECTED: "Something went wrong on our side and it has been logged.",
    Reason.REVIEW_MISSING: (
        "This confirmation does not match an order you reviewed (reviews expire after 30 minutes), so "
        "nothing was sent. Run /subscribe and review the order again."
    ),
    Reason.REVIEW_MISMATCH: (
        "This confirmation differs from the order you reviewed (license, plan, seats, billing cycle or "
        "card), so nothing was sent. Run /subscribe and review the order again."
    ),
    Reason.OTHER_REVIEWER: (
        "Another admin reviewed this order, and only they can confirm it. Nothing was sent. Run "
        "/subscribe to review it yourself."
    ),
    Reason.CARD_CHANGED: (
        "The card under this label was replaced after you reviewed the order, so it is not the card "
        "you saw and nothing was sent. Run /subscribe to review the order with the new card."
    ),
}


def what_answered(status: int | None) -> str:
    """How LiveChat answered a POST whose outcome is unknown."""
    if status is None:
        return "LiveChat did not answer the subscription request in time"
    return f"LiveChat answered the subscription request at once with an error (HTTP {status}) instead of confirming it"


def checking_text(status: int | None, seconds: float) -> str:
    """The progress line while the bot re-reads the license after an unknown outcome."""
    return (
        f"Not confirmed yet — {what_answered(status)}. Checking whether the subscription exists "
        f"(for up to {round(seconds)} seconds)…"
    )


def lock_text(result: Result) -> str:
    """Until when the bot sends nothing more for the license, and how to learn more."""
    ends = _time(result.locked_until)
    if ends is None:
        return (
            "The bot will not send another request for this license until LiveChat shows whether it exists."
        )
    since = _time(result.at)
    minutes = f" ({round((ends - since).total_seconds() / 60)} minutes after that request)" if since else ""
    return (
        f"The bot will not send another request for this license until {ends:%H:%M} UTC{minutes} unless "
        "LiveChat shows it subscribed. Run /subscribe at any time: it reads LiveChat again, shows the "
        "license as being confirmed until then, and offers Create subscription again after it if "
        "LiveChat still shows no subscription."
    )


def _time(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment is not None else None


def unconfirmed_detail(result: Result) -> str:
    if result.reason is Reason.NO_ANSWER:
        known = (
            f"{what_answered(result.api_status)}, and LiveChat did not show the subscription while the bot "
            "checked, so it is not known yet whether it was created."
        )
    else:
        known = (
            "An earlier request for this license is not confirmed yet: it got no clear answer and "
            "LiveChat does not show a subscription, so nothing more was sent."
        )
    return f"{known} {lock_text(result)}"


def result_detail(result: Result) -> str:
    """The facts of `result` as one mrkdwn sentence (upstream messages escaped)."""
    if result.reason in (Reason.NO_ANSWER, Reason.STILL_UNCONFIRMED):
        return unconfirmed_detail(result)
    if result.reason is Reason.EARLIER_ATTEMPT_DONE:
        by = f" by <@{result.user_id}>" if result.user_id else ""
        return f"This license already has a subscription{by} — nothing was sent again."
    if result.reason is Reason.REJECTED:
        # The API's own wording is undocumented and may echo what was sent: name the fields only.
        if result.fields:
            return escape(f"LiveChat rejected the request — check: {', '.join(result.fields)}.")
        return "LiveChat rejected the request's parameters."
    if result.reason in REASON_TEXTS:
        return REASON_TEXTS[result.reason]
    return escape(result.detail)


def result_view(order: Order, result: Result) -> Json:
    """What happened, in the modal that said "Subscribing…"."""
    title = RESULT_TITLES.get(result.outcome, ":x: *Not subscribed.*")
    detail = result_detail(result)
    if result.outcome is Outcome.CREATED:
        detail = f"{detail} {order.summary()} for {client_text(order.client_name, order.license_id)}."
    shown = existing_fields(order, result) if result.outcome is Outcome.ALREADY else order_fields(order)
    blocks: list[Json] = [section(f"{title}\n{detail}"), section(fields=shown)]
    if result.fields:
        lines = "\n".join(f"• *{escape(name)}*" for name in list(result.fields)[:10])
        blocks.append(section(f"LiveChat named these fields:\n{lines}"))
    if result.outcome in (Outcome.CARD_ERROR, Outcome.VAULT_ERROR, Outcome.NOT_CREATED, Outcome.INVALID):
        blocks.append(context("Run /subscribe to try again."))
    return _modal("Subscription", blocks, clear_on_close=True)


def result_text(order: Order, result: Result) -> str:
    """The same outcome as one line, for a DM when the modal is gone."""
    title = RESULT_TITLES.get(result.outcome, "*Not subscribed.*").split(" ", 1)[-1]
    client = client_text(order.client_name, order.license_id)
    return f"Subscription for {client} (license {order.license_id}): {title} {result_detail(result)}"


def success_note(order: Order, user_id: str) -> Json:
    """ "Team plan, 5 seats, annual — subscribed for Joe Doe Ltd by @admin", for the channel."""
    client = client_text(order.client_name, f"license {order.license_id}")
    text = f"{order.summary()} — subscribed for {client} by <@{user_id}>"
    return message(text, [section(f":tada: {text}")])
