"""Block Kit for `/campaign`: pure functions from campaigns and form state to views and messages.

Nothing here talks to Slack or LiveChat, so every view is tested alone (limits, block ids).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.campaigns.form import (
    COUPON_ACTION,
    COUPON_BLOCK,
    LINK_ACTION,
    LINK_BLOCK,
    NAME_ACTION,
    NAME_BLOCK,
    NAME_MAX,
    PRODUCT_ACTION,
    PRODUCT_BLOCK,
    TRIAL_ACTION,
    TRIAL_BLOCK,
    TRIAL_DEFAULT,
    TRIAL_MAX,
    TRIAL_MIN,
    FormValues,
)
from bot.partners.models import PRODUCT_NAMES, Campaign, Coupon
from bot.slack.blocks import (
    Json,
    actions,
    button,
    confirm_dialog,
    context,
    field,
    header,
    input_block,
    message,
    modal,
    notice_message,
    option,
    options,
    placeholder,
    section,
    truncate,
)
from bot.slack.mrkdwn import escape, escape_url, link

CREATE_CALLBACK_ID = "campaign_create"
MORE_ACTION_ID = "campaign_list_more"
PREVIOUS_ACTION_ID = "campaign_list_previous"
DISABLE_ACTION_PREFIX = "campaign_disable_"
CANCEL_ACTION_ID = "campaign_disable_cancel"
PAGE_SIZE = 10
MAX_MATCHES = 10

StateFilter = Literal["active", "disabled"] | None

USAGE = (
    "*/campaign* — affiliate campaigns with tracked links, without leaving Slack.\n"
    "• `/campaign` or `/campaign new` — open the form to create a campaign\n"
    "• `/campaign list [active|disabled]` — your campaigns with their short links (only you see it)\n"
    "• `/campaign disable <slug or name>` — stop a campaign, after you confirm\n"
    "• `/campaign stats [7|30|90]` — clicks, trials, paid and commission per campaign (default 30 days)\n"
    "• `/campaign help` — this message"
)

LIST_FILTERS = ("active", "disabled")


def argument_problem(words: list[str]) -> str | None:
    """What is wrong with `/campaign`'s words, in one sentence; None when they can be run.

    `stats` periods are checked by `/campaign stats` itself (bot/funnel.py), which says the same.
    """
    sub = words[0].lower() if words else "new"
    if sub in ("new", "help"):
        if len(words) > 1:
            return f"`/campaign {sub}` takes nothing after it" + (
                "; the form asks for the details." if sub == "new" else "."
            )
        return None
    if sub == "list":
        if len(words) > 2:
            return "`/campaign list` takes at most one filter: `active` or `disabled`."
        if len(words) == 2 and words[1].lower() not in LIST_FILTERS:
            return f"`{words[1]}` is not a list filter — use `active` or `disabled`."
        return None
    if sub == "disable":
        if len(words) < 2:
            return "`/campaign disable` needs the campaign to stop: its slug or name, e.g. `/campaign disable spring-promo`."
        return None
    if sub == "stats":
        return None
    return f"`{words[0]}` is not a `/campaign` subcommand."


def wrong_arguments(problem: str) -> str:
    """The problem first, then how to write the command."""
    return f"{problem}\n\n{USAGE}"


def _date(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    fallback = moment.strftime("%Y-%m-%d")
    return f"<!date^{int(moment.timestamp())}^{{date_short}}|{fallback}>"


def product_name(product: str) -> str:
    return PRODUCT_NAMES.get(product, product.replace("_", " ").title())


# ------------------------------------------------------------------------------------ the modal


def encode_metadata(channel_id: str | None) -> str:
    """`private_metadata`: the channel the command came from, where the new campaign is announced."""
    return json.dumps({"channel_id": channel_id or ""})


def decode_metadata(raw: str | None) -> str | None:
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        return None
    channel = data.get("channel_id") if isinstance(data, dict) else None
    return channel if isinstance(channel, str) and channel else None


@dataclass(frozen=True)
class CouponChoices:
    """What the coupon input can show: the coupons, a loading note, or why they are missing."""

    coupons: tuple[Coupon, ...] = ()
    loading: bool = False
    problem: str | None = None

    @classmethod
    def ready(cls, coupons: Sequence[Coupon]) -> CouponChoices:
        return cls(coupons=tuple(coupons))


def _coupon_option(coupon: Coupon) -> Json:
    return option(coupon.label, str(coupon.id))


PRODUCT_OPTIONS = [option(name, key) for key, name in PRODUCT_NAMES.items()]


def _coupon_blocks(choices: CouponChoices, selected: str | None) -> list[Json]:
    if choices.loading:
        return [context(":hourglass_flowing_sand: Loading coupons…", block_id=COUPON_BLOCK)]
    if choices.problem is not None:
        return [
            context(
                f":warning: Coupons could not be loaded: {escape(choices.problem)} "
                "You can still create the campaign without a coupon.",
                block_id=COUPON_BLOCK,
            )
        ]
    if not choices.coupons:
        return [context("No coupons: this partner account has none to offer.", block_id=COUPON_BLOCK)]
    coupon_options = options(_coupon_option(c) for c in choices.coupons)
    element: Json = {
        "type": "static_select",
        "action_id": COUPON_ACTION,
        "placeholder": placeholder("No coupon"),
        "options": coupon_options,
    }
    initial = next((o for o in coupon_options if o["value"] == selected), None)
    if initial is not None:
        element["initial_option"] = initial
    return [
        input_block(
            "Coupon",
            element,
            block_id=COUPON_BLOCK,
            optional=True,
            hint="LiveChat only. Gives the people you refer a discount.",
        )
    ]


def _error_context(block_id: str, message: str) -> Json:
    return context(f":warning: *{escape(message)}*", block_id=f"{block_id}_error")


def create_modal(
    *,
    channel_id: str | None,
    coupons: CouponChoices,
    values: FormValues | None = None,
    field_errors: dict[str, str] | None = None,
    general: str | None = None,
) -> Json:
    """The create form. With `values` it is the form offered again after a failed attempt:
    inputs keep what was typed, each problem sits right under its field, `general` on top."""
    values = values or FormValues()
    errors = field_errors or {}
    blocks: list[Json] = []
    if general:
        blocks.append(section(f":warning: {escape(general)}", block_id="campaign_general_error"))

    name: Json = {
        "type": "plain_text_input",
        "action_id": NAME_ACTION,
        "max_length": NAME_MAX,
        "placeholder": placeholder("e.g. Spring webinar 2025"),
    }
    if values.name:
        name["initial_value"] = values.name[:NAME_MAX]
    blocks.append(
        input_block(
            "Name", name, block_id=NAME_BLOCK, hint="5–100 characters; it becomes the campaign's slug."
        )
    )

    product: Json = {
        "type": "static_select",
        "action_id": PRODUCT_ACTION,
        "options": PRODUCT_OPTIONS,
    }
    product["initial_option"] = next(
        (o for o in PRODUCT_OPTIONS if o["value"] == values.product), PRODUCT_OPTIONS[0]
    )
    blocks.append(input_block("Product", product, block_id=PRODUCT_BLOCK))

    trial: Json = {
        "type": "number_input",
        "action_id": TRIAL_ACTION,
        "is_decimal_allowed": False,
        "placeholder": placeholder(f"{TRIAL_DEFAULT} (default)"),
    }
    if values.trial and values.trial.strip().isdigit():
        trial["initial_value"] = values.trial.strip()
    blocks.append(
        input_block(
            "Trial length (days)",
            trial,
            block_id=TRIAL_BLOCK,
            optional=True,
            hint=f"LiveChat only: {TRIAL_MIN}–{TRIAL_MAX} days. Empty means {TRIAL_DEFAULT}.",
        )
    )

    blocks.extend(_coupon_blocks(coupons, values.coupon_id))

    landing: Json = {
        "type": "url_text_input",
        "action_id": LINK_ACTION,
        "placeholder": placeholder("https://your-site.example/livechat"),
    }
    if values.link:
        landing["initial_value"] = values.link
    blocks.append(
        input_block(
            "Landing page",
            landing,
            block_id=LINK_BLOCK,
            optional=True,
            hint="Where the tracking link sends people. Empty means the product's site.",
        )
    )

    # Put each problem right under its input; a missing block (e.g. no coupon input) goes on top.
    with_errors: list[Json] = []
    for block in blocks:
        with_errors.append(block)
        if block.get("block_id") in errors:
            with_errors.append(_error_context(block["block_id"], errors[block["block_id"]]))
    placed = {b.get("block_id") for b in blocks}
    stray = [_error_context(k, v) for k, v in errors.items() if k not in placed]
    return modal(
        "New campaign",
        stray + with_errors,
        callback_id=CREATE_CALLBACK_ID,
        submit="Create campaign",
        close="Cancel",
        private_metadata=encode_metadata(channel_id),
    )


def working_view(name: str, channel_id: str | None) -> Json:
    """Shown at once after a valid submission, while LiveChat creates the campaign."""
    return modal(
        "New campaign",
        [
            section(f":hourglass_flowing_sand: Creating campaign *{escape(name)}*…"),
            context(
                "This usually takes a few seconds. You can close this window; the links also go to the channel."
            ),
        ],
        callback_id="campaign_working",
        close="Close",
        private_metadata=encode_metadata(channel_id),
    )


def campaign_fields(campaign: Campaign, coupon_label: str | None = None) -> list[Json]:
    trial = f"{campaign.trial_duration} days" if campaign.trial_duration else "No trial"
    # The API's `discount` is the coupon's label ("30% off first payment") or "".
    label = campaign.discount or coupon_label
    coupon = escape(label) if label else "No coupon"
    return [
        field(f"*Product*\n{product_name(campaign.product)}"),
        field(f"*Trial*\n{trial}"),
        field(f"*Coupon*\n{coupon}"),
        field(f"*Slug*\n`{escape(campaign.slug)}`"),
    ]


def _links_section(campaign: Campaign) -> Json:
    return section(f"*Tracking URL*\n{link(campaign.url)}\n*Short URL*\n{link(campaign.short_url)}")


def result_view(campaign: Campaign, *, coupon_label: str | None, delivery_note: str) -> Json:
    """The modal after success: the campaign and its links, and where the announcement went."""
    return modal(
        "Campaign created",
        [
            section(
                f":white_check_mark: *{escape(campaign.name)}* is live.",
                fields=campaign_fields(campaign, coupon_label),
            ),
            _links_section(campaign),
            context(delivery_note),
        ],
        callback_id="campaign_created",
        close="Done",
    )


def announcement_message(
    campaign: Campaign, *, created_by: str, coupon_label: str | None, preface: str | None = None
) -> Json:
    """The post that shares a new campaign's links with the channel (or the creator's DM)."""
    text = (
        f"New {product_name(campaign.product)} campaign {escape(campaign.name)}: "
        f"{escape(escape_url(campaign.short_url or campaign.url or campaign.slug))} (created by <@{created_by}>)"
    )
    blocks = []
    if preface:
        blocks.append(context(preface))
    blocks += [
        section(
            f":mega: New campaign *{escape(campaign.name)}*",
            fields=campaign_fields(campaign, coupon_label),
        ),
        _links_section(campaign),
        context(f"created by <@{created_by}>"),
    ]
    return message(text, blocks)


# ------------------------------------------------------------------------------------ list


def page_value(page: int, state: StateFilter) -> str:
    return json.dumps({"page": page, "state": state or ""})


def parse_page_value(raw: str | None) -> tuple[int, StateFilter]:
    """The page and filter a More/Previous button carries; page 1, no filter, if unreadable."""
    try:
        data = json.loads(raw or "{}")
        page = max(1, int(data.get("page", 1)))
        state = data.get("state") or None
    except (ValueError, TypeError, AttributeError):
        return 1, None
    return page, state if state in ("active", "disabled") else None


def _campaign_line(campaign: Campaign) -> str:
    status = "" if campaign.active else " · _disabled_"
    coupon = f" · {escape(campaign.discount)}" if campaign.discount else ""
    return (
        f"*{escape(campaign.name)}* · {product_name(campaign.product)} · `{escape(campaign.slug)}`{coupon}{status}\n"
        f"{link(campaign.short_url)} · created {_date(campaign.creation_timestamp)}"
    )


def campaign_list_message(
    campaigns: Sequence[Campaign], *, page: int = 1, state: StateFilter = None, page_size: int = PAGE_SIZE
) -> Json:
    """One page of campaigns (newest first), with More/Previous buttons carrying page and filter."""
    title = {"active": "Active campaigns", "disabled": "Disabled campaigns"}.get(state or "", "Campaigns")
    ordered = sorted(
        campaigns,
        key=lambda c: c.creation_timestamp.timestamp() if c.creation_timestamp else 0,
        reverse=True,
    )
    if not ordered:
        hint = "Create one with `/campaign new`." if state != "disabled" else ""
        text = f"No {title.lower()} yet. {hint}".strip()
        return notice_message(text)
    pages = (len(ordered) + page_size - 1) // page_size
    page = min(max(1, page), pages)
    first = (page - 1) * page_size
    shown = ordered[first : first + page_size]
    blocks: list[Json] = [
        header(title),
        context(f"{first + 1}–{first + len(shown)} of {len(ordered)}"),
    ]
    blocks += [section(_campaign_line(c)) for c in shown]
    buttons = []
    if page > 1:
        buttons.append(button("Previous", action_id=PREVIOUS_ACTION_ID, value=page_value(page - 1, state)))
    if page < pages:
        buttons.append(button("More", action_id=MORE_ACTION_ID, value=page_value(page + 1, state)))
    if buttons:
        blocks.append(actions(buttons, block_id="campaign_list_pages"))
    text = f"{title}: " + ", ".join(escape(c.name) for c in shown)
    return message(text, blocks)


# ------------------------------------------------------------------------------------ disable


def disable_value(campaign: Campaign) -> str:
    return json.dumps(
        {"product": campaign.product, "slug": campaign.slug, "name": truncate(campaign.name, 200)}
    )


def parse_disable_value(raw: str | None) -> tuple[str, str, str] | None:
    """(product, slug, name) from a Disable button, or None if the value is not ours."""
    try:
        data = json.loads(raw or "")
        return str(data["product"]), str(data["slug"]), str(data.get("name") or data["slug"])
    except (ValueError, TypeError, KeyError):
        return None


def find_campaigns(campaigns: Sequence[Campaign], wanted: str) -> list[Campaign]:
    """Campaigns whose slug is `wanted`, or whose name matches it ignoring case and spaces."""
    wanted = " ".join(wanted.split())
    by_slug = [c for c in campaigns if c.slug == wanted]
    if by_slug:
        return by_slug
    folded = wanted.casefold()
    return [c for c in campaigns if " ".join(c.name.split()).casefold() == folded]


def disable_confirmation(matches: Sequence[Campaign]) -> Json:
    """Which campaign would stop, a Disable button (Slack asks once more) and Cancel."""
    blocks: list[Json] = []
    for index, campaign in enumerate(matches[:MAX_MATCHES]):
        disable = button(
            "Disable",
            action_id=f"{DISABLE_ACTION_PREFIX}{index}",
            value=disable_value(campaign),
            style="danger",
            confirm=confirm_dialog(
                "Disable campaign?",
                f"*{escape(truncate(campaign.name, 150))}* stops tracking: its links keep working, "
                "but new visits no longer earn commission.",
                confirm="Disable",
                deny="Keep it",
                style="danger",
            ),
        )
        blocks.append(section(_campaign_line(campaign), accessory=disable))
    blocks.append(
        actions(
            [button("Cancel", action_id=CANCEL_ACTION_ID, value="cancel")], block_id="campaign_disable_cancel"
        )
    )
    question = (
        "Disable this campaign?" if len(matches) == 1 else "Several campaigns match; pick the one to disable."
    )
    names = ", ".join(f"{escape(c.name)} ({escape(c.slug)})" for c in matches)
    return message(f"{question} {names}", [section(f"*{question}*"), *blocks])


def not_found_message(wanted: str, *, disabled: Campaign | None = None) -> Json:
    if disabled is not None:
        return notice_message(
            f"*{escape(disabled.name)}* (`{escape(disabled.slug)}`) is already disabled. "
            "See `/campaign list active` for the ones you can disable."
        )
    return notice_message(
        f"No campaign has the slug or name “{escape(wanted)}”. See `/campaign list` for names and slugs."
    )
