"""Block Kit for `/campaign`: pure functions from campaigns and form state to views and messages.

Nothing here talks to Slack or LiveChat, so every view is tested alone (limits, block ids).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

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
from bot.slack.mrkdwn import escape

CREATE_CALLBACK_ID = "campaign_create"
MORE_ACTION_ID = "campaign_list_more"
PREVIOUS_ACTION_ID = "campaign_list_previous"
DISABLE_ACTION_PREFIX = "campaign_disable_"
CANCEL_ACTION_ID = "campaign_disable_cancel"
PAGE_SIZE = 10
MAX_COUPON_OPTIONS = 100  # Slack's static_select limit
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


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def _section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": _mrkdwn(text[:3000]), **extra}


def _context(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "context", "elements": [_mrkdwn(text[:3000])], **extra}


def _link(url: str | None) -> str:
    return f"<{url}|{escape(url)}>" if url else "—"


def _date(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    fallback = moment.strftime("%Y-%m-%d")
    return f"<!date^{int(moment.timestamp())}^{{date_short}}|{fallback}>"


def product_name(product: str) -> str:
    return PRODUCT_NAMES.get(product, product.replace("_", " ").title())


def notice_message(text: str) -> dict[str, Any]:
    """A one-section ephemeral message with the same plain-text fallback."""
    return {"text": text, "blocks": [_section(text)]}


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


def _coupon_option(coupon: Coupon) -> dict[str, Any]:
    return {"text": _plain(coupon.label[:75]), "value": str(coupon.id)}


PRODUCT_OPTIONS = [{"text": _plain(name), "value": key} for key, name in PRODUCT_NAMES.items()]


def _coupon_blocks(choices: CouponChoices, selected: str | None) -> list[dict[str, Any]]:
    if choices.loading:
        return [_context(":hourglass_flowing_sand: Loading coupons…", block_id=COUPON_BLOCK)]
    if choices.problem is not None:
        return [
            _context(
                f":warning: Coupons could not be loaded: {escape(choices.problem)} "
                "You can still create the campaign without a coupon.",
                block_id=COUPON_BLOCK,
            )
        ]
    if not choices.coupons:
        return [_context("Coupon: this partner account has no coupons to offer.", block_id=COUPON_BLOCK)]
    options = [_coupon_option(c) for c in choices.coupons[:MAX_COUPON_OPTIONS]]
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": COUPON_ACTION,
        "placeholder": _plain("No coupon"),
        "options": options,
    }
    initial = next((o for o in options if o["value"] == selected), None)
    if initial is not None:
        element["initial_option"] = initial
    return [
        {
            "type": "input",
            "block_id": COUPON_BLOCK,
            "optional": True,
            "label": _plain("Coupon"),
            "hint": _plain("LiveChat only. Gives the people you refer a discount."),
            "element": element,
        }
    ]


def _error_context(block_id: str, message: str) -> dict[str, Any]:
    return _context(f":warning: *{escape(message)}*", block_id=f"{block_id}_error")


def create_modal(
    *,
    channel_id: str | None,
    coupons: CouponChoices,
    values: FormValues | None = None,
    field_errors: dict[str, str] | None = None,
    general: str | None = None,
) -> dict[str, Any]:
    """The create form. With `values` it is the form offered again after a failed attempt:
    inputs keep what was typed, each problem sits right under its field, `general` on top."""
    values = values or FormValues()
    errors = field_errors or {}
    blocks: list[dict[str, Any]] = []
    if general:
        blocks.append(_section(f":warning: {escape(general)}", block_id="campaign_general_error"))

    name: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": NAME_ACTION,
        "max_length": NAME_MAX,
        "placeholder": _plain("e.g. Spring webinar 2025"),
    }
    if values.name:
        name["initial_value"] = values.name[:NAME_MAX]
    blocks.append(
        {
            "type": "input",
            "block_id": NAME_BLOCK,
            "label": _plain("Name"),
            "hint": _plain("5–100 characters; it becomes the campaign's slug."),
            "element": name,
        }
    )

    product: dict[str, Any] = {
        "type": "static_select",
        "action_id": PRODUCT_ACTION,
        "options": PRODUCT_OPTIONS,
    }
    product["initial_option"] = next(
        (o for o in PRODUCT_OPTIONS if o["value"] == values.product), PRODUCT_OPTIONS[0]
    )
    blocks.append(
        {"type": "input", "block_id": PRODUCT_BLOCK, "label": _plain("Product"), "element": product}
    )

    trial: dict[str, Any] = {
        "type": "number_input",
        "action_id": TRIAL_ACTION,
        "is_decimal_allowed": False,
        "placeholder": _plain(f"{TRIAL_DEFAULT} (default)"),
    }
    if values.trial and values.trial.strip().isdigit():
        trial["initial_value"] = values.trial.strip()
    blocks.append(
        {
            "type": "input",
            "block_id": TRIAL_BLOCK,
            "optional": True,
            "label": _plain("Trial length (days)"),
            "hint": _plain(f"LiveChat only: {TRIAL_MIN}–{TRIAL_MAX} days. Empty means {TRIAL_DEFAULT}."),
            "element": trial,
        }
    )

    blocks.extend(_coupon_blocks(coupons, values.coupon_id))

    link: dict[str, Any] = {
        "type": "url_text_input",
        "action_id": LINK_ACTION,
        "placeholder": _plain("https://your-site.example/livechat"),
    }
    if values.link:
        link["initial_value"] = values.link
    blocks.append(
        {
            "type": "input",
            "block_id": LINK_BLOCK,
            "optional": True,
            "label": _plain("Landing page"),
            "hint": _plain("Where the tracking link sends people. Empty means the product's site."),
            "element": link,
        }
    )

    # Put each problem right under its input; a missing block (e.g. no coupon input) goes on top.
    with_errors: list[dict[str, Any]] = []
    for block in blocks:
        with_errors.append(block)
        if block.get("block_id") in errors:
            with_errors.append(_error_context(block["block_id"], errors[block["block_id"]]))
    placed = {b.get("block_id") for b in blocks}
    stray = [_error_context(k, v) for k, v in errors.items() if k not in placed]
    return {
        "type": "modal",
        "callback_id": CREATE_CALLBACK_ID,
        "title": _plain("New campaign"),
        "submit": _plain("Create campaign"),
        "close": _plain("Cancel"),
        "private_metadata": encode_metadata(channel_id),
        "blocks": stray + with_errors,
    }


def working_view(name: str, channel_id: str | None) -> dict[str, Any]:
    """Shown at once after a valid submission, while LiveChat creates the campaign."""
    return {
        "type": "modal",
        "callback_id": "campaign_working",
        "title": _plain("New campaign"),
        "close": _plain("Close"),
        "private_metadata": encode_metadata(channel_id),
        "blocks": [
            _section(f":hourglass_flowing_sand: Creating campaign *{escape(name)}*…"),
            _context(
                "This usually takes a few seconds. You can close this window; the links also go to the channel."
            ),
        ],
    }


def campaign_fields(campaign: Campaign, coupon_label: str | None = None) -> list[dict[str, Any]]:
    trial = f"{campaign.trial_duration} days" if campaign.trial_duration else "—"
    if coupon_label and campaign.discount is not None:
        coupon = f"{escape(coupon_label)} ({campaign.discount.normalize():f}% discount)"
    elif coupon_label:
        coupon = escape(coupon_label)
    elif campaign.discount is not None:
        coupon = f"{campaign.discount.normalize():f}% discount"
    else:
        coupon = "None"
    return [
        _mrkdwn(f"*Product*\n{product_name(campaign.product)}"),
        _mrkdwn(f"*Trial*\n{trial}"),
        _mrkdwn(f"*Coupon*\n{coupon}"),
        _mrkdwn(f"*Slug*\n`{escape(campaign.slug)}`"),
    ]


def _links_section(campaign: Campaign) -> dict[str, Any]:
    return _section(f"*Tracking URL*\n{_link(campaign.url)}\n*Short URL*\n{_link(campaign.short_url)}")


def result_view(campaign: Campaign, *, coupon_label: str | None, delivery_note: str) -> dict[str, Any]:
    """The modal after success: the campaign and its links, and where the announcement went."""
    return {
        "type": "modal",
        "callback_id": "campaign_created",
        "title": _plain("Campaign created"),
        "close": _plain("Done"),
        "blocks": [
            _section(
                f":white_check_mark: *{escape(campaign.name)}* is live.",
                fields=campaign_fields(campaign, coupon_label),
            ),
            _links_section(campaign),
            _context(delivery_note),
        ],
    }


def announcement_message(
    campaign: Campaign, *, created_by: str, coupon_label: str | None, preface: str | None = None
) -> dict[str, Any]:
    """The post that shares a new campaign's links with the channel (or the creator's DM)."""
    text = (
        f"New {product_name(campaign.product)} campaign {escape(campaign.name)}: "
        f"{campaign.short_url or campaign.url or campaign.slug} (created by <@{created_by}>)"
    )
    blocks = []
    if preface:
        blocks.append(_context(preface))
    blocks += [
        _section(
            f":mega: New campaign *{escape(campaign.name)}*",
            fields=campaign_fields(campaign, coupon_label),
        ),
        _links_section(campaign),
        _context(f"created by <@{created_by}>"),
    ]
    return {"text": text, "blocks": blocks}


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
    return (
        f"*{escape(campaign.name)}* · {product_name(campaign.product)} · `{escape(campaign.slug)}`{status}\n"
        f"{_link(campaign.short_url)} · created {_date(campaign.creation_timestamp)}"
    )


def campaign_list_message(
    campaigns: Sequence[Campaign], *, page: int = 1, state: StateFilter = None, page_size: int = PAGE_SIZE
) -> dict[str, Any]:
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
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": _plain(title)},
        _context(f"{first + 1}–{first + len(shown)} of {len(ordered)}"),
    ]
    blocks += [_section(_campaign_line(c)) for c in shown]
    buttons = []
    if page > 1:
        buttons.append(
            {
                "type": "button",
                "action_id": PREVIOUS_ACTION_ID,
                "text": _plain("Previous"),
                "value": page_value(page - 1, state),
            }
        )
    if page < pages:
        buttons.append(
            {
                "type": "button",
                "action_id": MORE_ACTION_ID,
                "text": _plain("More"),
                "value": page_value(page + 1, state),
            }
        )
    if buttons:
        blocks.append({"type": "actions", "block_id": "campaign_list_pages", "elements": buttons})
    text = f"{title}: " + ", ".join(escape(c.name) for c in shown)
    return {"text": text[:3000], "blocks": blocks}


# ------------------------------------------------------------------------------------ disable


def disable_value(campaign: Campaign) -> str:
    return json.dumps({"product": campaign.product, "slug": campaign.slug, "name": campaign.name[:200]})


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


def disable_confirmation(matches: Sequence[Campaign]) -> dict[str, Any]:
    """Which campaign would stop, a Disable button (Slack asks once more) and Cancel."""
    blocks: list[dict[str, Any]] = []
    for index, campaign in enumerate(matches[:MAX_MATCHES]):
        button = {
            "type": "button",
            "action_id": f"{DISABLE_ACTION_PREFIX}{index}",
            "text": _plain("Disable"),
            "style": "danger",
            "value": disable_value(campaign),
            "confirm": {
                "title": _plain("Disable campaign?"),
                "text": _mrkdwn(
                    f"*{escape(campaign.name[:150])}* stops tracking: its links keep working, "
                    "but new visits no longer earn commission."
                ),
                "confirm": _plain("Disable"),
                "deny": _plain("Keep it"),
                "style": "danger",
            },
        }
        blocks.append(_section(_campaign_line(campaign), accessory=button))
    blocks.append(
        {
            "type": "actions",
            "block_id": "campaign_disable_cancel",
            "elements": [
                {"type": "button", "action_id": CANCEL_ACTION_ID, "text": _plain("Cancel"), "value": "cancel"}
            ],
        }
    )
    header = (
        "Disable this campaign?" if len(matches) == 1 else "Several campaigns match; pick the one to disable."
    )
    names = ", ".join(f"{escape(c.name)} ({escape(c.slug)})" for c in matches)
    return {"text": f"{header} {names}"[:3000], "blocks": [_section(f"*{header}*"), *blocks]}


def not_found_message(wanted: str, *, disabled: Campaign | None = None) -> dict[str, Any]:
    if disabled is not None:
        return notice_message(
            f"*{escape(disabled.name)}* (`{escape(disabled.slug)}`) is already disabled. "
            "See `/campaign list active` for the ones you can disable."
        )
    return notice_message(
        f"No campaign has the slug or name “{escape(wanted)}”. See `/campaign list` for names and slugs."
    )
