"""The sandbox's *world*: what the Partner API would remember, saved and restored by the console.

``SandboxState.world()`` exports one and ``SandboxState.restore()`` puts one back
(bot/offline/sandbox/state.py); this module holds the world itself, its JSON form with a version
number, and the shape checks that keep a restored sandbox answering in the documented shapes. It is
apart from the state so the state keeps to the live sandbox, and the file format is read in one place.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.offline.sandbox import data

WORLD_VERSION = 1
"""Bump when ``SandboxWorld`` changes meaning; a world saved with another version is not restored."""


class WorldError(ValueError):
    """A saved world that cannot be restored; the message says why in a few words."""


@dataclass(frozen=True)
class SandboxWorld:
    """What the Partner API would remember about the partner, JSON-safe, without instrumentation.

    The fields are the ``SandboxState`` fields of the same name (``report_*`` are its ``reports``).
    ``from_json`` accepts only what ``to_json`` of this ``WORLD_VERSION`` writes, and checks every
    record against the demo data's shape, so a restored sandbox still answers in the documented shapes.
    """

    profile: dict[str, Any]
    billing_info: dict[str, Any] | None
    earnings: dict[str, Any]
    withdrawals: list[dict[str, Any]]
    coupons: list[dict[str, Any]]
    campaigns: list[dict[str, Any]]
    performance: dict[str, dict[str, Any]]
    licenses: dict[str, dict[str, Any]]
    subscriptions: dict[str, dict[str, Any]]
    days_advanced: int
    report_monthly: dict[str, float]
    report_performance_rows: list[dict[str, Any]] | None

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict (a fresh copy) carrying ``version``."""
        fields = {name: copy.deepcopy(getattr(self, name)) for name in self.__dataclass_fields__}
        return {"version": WORLD_VERSION, **fields}

    @classmethod
    def from_json(cls, raw: object) -> SandboxWorld:
        """Read what ``to_json`` wrote; ``WorldError`` when it is another version or malformed."""
        if not isinstance(raw, Mapping):
            raise WorldError("it is not a JSON object")
        version = raw.get("version")
        if isinstance(version, bool) or not isinstance(version, int):
            raise WorldError("it has no version number")
        if version != WORLD_VERSION:
            raise WorldError(f"it is version {version}; this sandbox reads version {WORLD_VERSION}")
        templates = _world_templates()
        for name, template in templates.items():
            if name not in raw:
                raise WorldError(f"{name} is missing")
            _check_shape(raw[name], template, name)
        days = raw["days_advanced"]
        if not isinstance(days, int) or days < 0:  # the template only said "a number"
            raise WorldError("days_advanced is not a whole number of days, 0 or more")
        for name in ("licenses", "subscriptions"):
            for key, record in raw[name].items():
                if record["license"] != key:
                    raise WorldError(f"{name}.{key} describes license {record['license']}")
        return cls(**{name: copy.deepcopy(raw[name]) for name in templates})


class _Optional:
    """Shape template: ``None`` or ``inner``."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner


class _MappingOf:
    """Shape template: an object with any keys whose every value has the shape ``inner``."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner


def _world_templates() -> dict[str, Any]:
    """Each world field's shape, taken from the demo data (a template value stands for its type)."""
    sample_license = data.licenses(data.SEED_EPOCH)[0]
    subscription = data.subscription_record(
        sample_license, plan="team", billing_cycle="monthly", seats=1, created_at="", card_last4="1111"
    )
    return {
        "profile": data.profile(),
        "billing_info": _Optional(data.billing_info()),
        "earnings": data.earnings(),
        "withdrawals": data.withdrawals()[:1],
        "coupons": data.coupons()[:1],
        "campaigns": data.campaigns()[:1],
        "performance": _MappingOf(next(iter(data.performance().values()))),
        "licenses": _MappingOf(sample_license),
        "subscriptions": _MappingOf(subscription),
        "days_advanced": 0,
        "report_monthly": _MappingOf(0.0),
        "report_performance_rows": _Optional([{}]),
    }


def _check_shape(value: Any, template: Any, where: str) -> None:
    """Raise ``WorldError`` unless ``value`` has every field of ``template`` with the same JSON type.

    A list template holds one item, the shape of every item; extra fields are fine (the sandbox
    adds some, e.g. ``conversion_timestamp``); ints and floats are both numbers, as in JSON.
    """
    if isinstance(template, _Optional):
        if value is not None:
            _check_shape(value, template.inner, where)
    elif isinstance(template, _MappingOf):
        if not isinstance(value, dict):
            raise WorldError(f"{where} is not an object")
        for key, item in value.items():
            _check_shape(item, template.inner, f"{where}.{key}")
    elif isinstance(template, dict):
        if not isinstance(value, dict):
            raise WorldError(f"{where} is not an object")
        for key, inner in template.items():
            if key not in value:
                raise WorldError(f"{where}.{key} is missing")
            _check_shape(value[key], inner, f"{where}.{key}")
    elif isinstance(template, list):
        if not isinstance(value, list):
            raise WorldError(f"{where} is not a list")
        for number, item in enumerate(value):
            _check_shape(item, template[0], f"{where}[{number}]")
    elif isinstance(template, bool):
        if not isinstance(value, bool):
            raise WorldError(f"{where} is not true or false")
    elif isinstance(template, int | float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise WorldError(f"{where} is not a number")
    elif isinstance(template, str) and not isinstance(value, str):
        raise WorldError(f"{where} is not a string")
