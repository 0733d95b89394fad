"""Mutable state and instrumentation of one sandbox instance.

Tests and benchmarks drive the sandbox through this object: they read what the bot sent
(``calls``/``count``), slow it down (``latency``/``latency_by_path``), break it on purpose
(``fail_next``/``hang_next``), switch the earnings shape, and move time forward (``advance_day``).
Everything random comes from ``rng`` seeded by the options, so runs are reproducible.

What the Partner API itself would remember (profile, ledgers, campaigns, licenses, the sandbox
clock's days, the report figures) is its *world*: ``world()`` exports it as a ``SandboxWorld``
(world.py: ``to_json``/``from_json`` for a file, with a version number, and its shape checks) and
``restore`` puts one back, so the offline console can keep the sandbox between runs. The
instrumentation never belongs to a world.
"""

from __future__ import annotations

import asyncio
import copy
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web

from bot.offline.sandbox import data
from bot.offline.sandbox.world import SandboxWorld

EarningsShape = Literal["today", "2018"]
EARNINGS_SHAPES: tuple[str, ...] = ("today", "2018")

LIVECHAT_RECURLY_KEY = "ewr1-QCXZap10wOSm13fxI4u5Jt"
"""LiveChat's public Recurly key, the only key the sandbox Recurly accepts by default."""

_DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class RecordedCall:
    """One request as the sandbox saw it (never with the Authorization header or a card number)."""

    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]
    time: float
    json: dict[str, Any] | None = None


@dataclass(slots=True)
class Fault:
    """A queued failure: either a canned response (``status``) or a delay (``hang``)."""

    path_prefix: str
    times: int
    status: int | None = None
    body: str | dict[str, Any] | list[Any] | None = None
    retry_after: float | None = None
    method: str | None = None
    content_type: str = "application/json"
    hang: float = 0.0
    location: str | None = None  # a Location header (a redirect the client must not follow)

    def matches(self, method: str, path: str) -> bool:
        """Tell whether this fault applies to a request."""
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return path.startswith(self.path_prefix)


@dataclass(slots=True)
class IssuedToken:
    """A Recurly token the sandbox handed out; only the last four digits are kept."""

    id: str
    last4: str
    brand: str
    created: float
    used: bool = False


@dataclass
class ReportsState:
    """`monthly` commission by `YYYY-MM`; `performance_rows` replaces the derived funnel when set.

    Filled lazily by the report routes (`bot.offline.sandbox.reports`, `app[REPORTS_STATE]` is this
    object); it lives on `SandboxState` so a world carries the figures a partner has already seen.
    """

    monthly: dict[str, float] = field(default_factory=dict)
    performance_rows: list[dict[str, Any]] | None = None


@dataclass
class SandboxState:
    """Everything one sandbox app knows and remembers; see the module docstring."""

    token: str | None = "sandbox-token"
    recurly_public_key: str = LIVECHAT_RECURLY_KEY
    earnings_shape: EarningsShape = "today"
    latency: float = 0.0
    latency_by_path: dict[str, float] = field(default_factory=dict)
    seed: int = 0
    partner_password: str = data.PARTNER_PASSWORD

    profile: dict[str, Any] = field(default_factory=data.profile)
    billing_info: dict[str, Any] | None = field(default_factory=data.billing_info)
    earnings: dict[str, Any] = field(default_factory=data.earnings)
    withdrawals: list[dict[str, Any]] = field(default_factory=data.withdrawals)
    coupons: list[dict[str, Any]] = field(default_factory=data.coupons)
    campaigns: list[dict[str, Any]] = field(default_factory=data.campaigns)
    performance: dict[str, dict[str, Any]] = field(default_factory=data.performance)
    reports: ReportsState = field(default_factory=ReportsState)
    # Filled in __post_init__: trial end dates are relative to the sandbox clock.
    licenses: dict[str, dict[str, Any]] = field(default_factory=dict)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    issued_tokens: dict[str, IssuedToken] = field(default_factory=dict)

    calls: list[RecordedCall] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    days_advanced: int = 0
    lose_withdrawal_answers: int = 0  # the next N payout requests apply, then their answers hang
    wall: Callable[[], float] = field(default=time.time, repr=False)
    rng: random.Random = field(init=False, repr=False)
    closing: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        if not self.licenses:
            self.licenses = {lic["license"]: lic for lic in data.licenses(self.now())}
        for lic in self.licenses.values():
            if (
                lic["paid"]
                and lic["payment_origin"] == "partner"
                and lic["license"] not in self.subscriptions
            ):
                self.subscriptions[lic["license"]] = data.subscription_record(
                    lic,
                    plan=lic["plan"],
                    billing_cycle=lic["billing_cycle"] or "monthly",
                    seats=lic["seats"],
                    created_at=lic["creation_timestamp"],
                    card_last4="1111",
                )

    # --- clock -------------------------------------------------------------------------------------

    def now(self) -> float:
        """Wall-clock time shifted by ``advance_day`` so expiry checks and timestamps move too."""
        return self.wall() + self.days_advanced * _DAY

    # --- world -------------------------------------------------------------------------------------

    def world(self) -> SandboxWorld:
        """A copy of what the API remembers (see ``SandboxWorld``); later changes do not touch it."""
        return copy.deepcopy(
            SandboxWorld(
                profile=self.profile,
                billing_info=self.billing_info,
                earnings=self.earnings,
                withdrawals=self.withdrawals,
                coupons=self.coupons,
                campaigns=self.campaigns,
                performance=self.performance,
                licenses=self.licenses,
                subscriptions=self.subscriptions,
                days_advanced=self.days_advanced,
                report_monthly=self.reports.monthly,
                report_performance_rows=self.reports.performance_rows,
            )
        )

    def restore(self, world: SandboxWorld) -> None:
        """Put a world back in place of this one; instrumentation (calls, faults, tokens, rng) stays.

        Timestamps in a world are absolute and ``days_advanced`` comes back with them, so the
        sandbox clock continues where it was: a trial that was to end in two days, two
        ``advance_day`` calls ago, has ended now.
        """
        world = copy.deepcopy(world)
        self.profile = world.profile
        self.billing_info = world.billing_info
        self.earnings = world.earnings
        self.withdrawals = world.withdrawals
        self.coupons = world.coupons
        self.campaigns = world.campaigns
        self.performance = world.performance
        self.licenses = world.licenses
        self.subscriptions = world.subscriptions
        self.days_advanced = world.days_advanced
        # In place: the report routes hold this very object as app[REPORTS_STATE].
        self.reports.monthly = world.report_monthly
        self.reports.performance_rows = world.report_performance_rows

    # --- instrumentation ---------------------------------------------------------------------------

    def count(self, method: str | None = None, path_prefix: str = "") -> int:
        """Count recorded calls with this method (any if None) whose path starts with the prefix."""
        wanted = method.upper() if method else None
        return sum(
            1
            for call in self.calls
            if (wanted is None or call.method == wanted) and call.path.startswith(path_prefix)
        )

    def calls_to(self, method: str | None = None, path_prefix: str = "") -> list[RecordedCall]:
        """Return the recorded calls that ``count`` would count, oldest first."""
        wanted = method.upper() if method else None
        return [
            c for c in self.calls if (wanted is None or c.method == wanted) and c.path.startswith(path_prefix)
        ]

    def latency_for(self, path: str) -> float:
        """Delay for a Partners response: the longest matching ``latency_by_path`` prefix wins."""
        best: str | None = None
        for prefix in self.latency_by_path:
            if path.startswith(prefix) and (best is None or len(prefix) > len(best)):
                best = prefix
        return self.latency_by_path[best] if best is not None else self.latency

    def fail_next(
        self,
        path_prefix: str,
        status: int,
        *,
        body: str | dict[str, Any] | list[Any] | None = None,
        times: int = 1,
        retry_after: float | None = None,
        method: str | None = None,
        content_type: str = "application/json",
        location: str | None = None,
    ) -> None:
        """Make the next ``times`` matching requests answer ``status`` with ``body``.

        ``body`` None gives the standard JSON error; a str is sent verbatim with ``content_type``
        (e.g. ``"<html>oops</html>"`` with ``"text/html"``); a dict/list is sent as JSON, which is
        how a wrong-shape 200 is simulated. ``retry_after`` sets the Retry-After header (seconds).
        """
        if times < 1:
            raise ValueError("times must be >= 1")
        self.faults.append(
            Fault(
                path_prefix=path_prefix,
                times=times,
                status=status,
                body=body,
                retry_after=retry_after,
                method=method,
                content_type=content_type,
                location=location,
            )
        )

    def hang_next(
        self, path_prefix: str, seconds: float, times: int = 1, *, method: str | None = None
    ) -> None:
        """Delay the next ``times`` matching requests by ``seconds`` before answering normally.

        Meant to trip client timeouts; closing the sandbox cuts pending hangs short.
        """
        if times < 1:
            raise ValueError("times must be >= 1")
        self.faults.append(Fault(path_prefix=path_prefix, times=times, hang=seconds, method=method))

    def clear_faults(self) -> None:
        """Drop every queued failure and hang."""
        self.faults.clear()

    def take_fault(self, method: str, path: str) -> Fault | None:
        """Consume one use of the oldest fault matching the request, if any."""
        for fault in self.faults:
            if fault.matches(method, path):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    async def sleep(self, seconds: float) -> None:
        """Sleep, but wake up at once when the sandbox is closing so shutdown never waits on it."""
        if seconds <= 0:
            return
        try:
            await asyncio.wait_for(self.closing.wait(), timeout=seconds)
        except TimeoutError:
            pass

    # --- earnings ----------------------------------------------------------------------------------

    def _paid_withdrawals(self) -> float:
        return data.money(sum(w["amount"] for w in self.withdrawals if w["status"] == "paid"))

    def _pending_withdrawals(self) -> float:
        return data.money(sum(w["amount"] for w in self.withdrawals if w["status"] == "pending"))

    def earnings_totals(self) -> dict[str, float]:
        """Derive the headline numbers from the per-product ledgers and the withdrawal history."""
        commission = 0.0
        last_30 = 0.0
        discount = 0.0
        for side in ("affiliate", "solution"):
            for product in data.PRODUCTS:
                entry = self.earnings[side][product]
                commission += entry["commission_total"]
                last_30 += entry["commission_last_30_days"]
                discount += entry.get("discount", 0)
        withdrawals = self._paid_withdrawals()
        pending = self._pending_withdrawals()
        blocked = data.money(self.earnings["blocked"])
        return {
            "balance": data.money(commission - withdrawals - pending - blocked),
            "blocked": blocked,
            "commission_total": data.money(commission),
            "commission_last_30_days": data.money(last_30),
            "withdrawals": withdrawals,
            "pending": pending,
            "discount": data.money(discount),
        }

    def balance(self) -> float:
        """Money the partner can withdraw right now."""
        return self.earnings_totals()["balance"]

    def add_commission(self, side: str, product: str, amount: float) -> None:
        """Credit commission to one ledger (both the total and the last-30-days figure)."""
        entry = self.earnings[side][product]
        entry["commission_total"] = data.money(entry["commission_total"] + amount)
        entry["commission_last_30_days"] = data.money(entry["commission_last_30_days"] + amount)

    def stamp(self, epoch: float | None = None) -> str:
        """The API's timestamp format: UTC ``YYYY-MM-DD HH:MM:SS`` (no zone), at ``epoch`` or now."""
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(self.now() if epoch is None else epoch))

    def request_withdrawal(self, amount: float) -> dict[str, Any]:
        """Queue a payout as pending and return it (callers check balance and billing info)."""
        next_id = max((w["withdrawal_id"] for w in self.withdrawals), default=0) + 1
        requested = self.stamp()
        withdrawal = {
            "withdrawal_id": next_id,
            "request_timestamp": requested,
            "action_timestamp": "",
            "status": "pending",
            "amount": data.money(amount),
            "invoice_id": f"{requested[:4]}/{next_id}/{self.profile.get('partner_id', 'partner')}",
            "paypal": (self.billing_info or {}).get("paypal_email", ""),
        }
        self.withdrawals.insert(0, withdrawal)
        return withdrawal

    def refresh_licenses(self) -> None:
        """A trial whose end has passed (on the sandbox clock) is ``expired``, as the API reports it."""
        now = self.stamp()
        for lic in self.licenses.values():
            if lic["status"] == "trial" and lic["end_timestamp"] < now:
                lic["status"] = "expired"

    def advance_day(self) -> dict[str, Any]:
        """Move the sandbox one day forward so a daily digest has something to report.

        Credits seeded-random affiliate and solution commission, adds clicks to active campaigns,
        and every 7th day pays out pending withdrawals and requests a new payout of a tenth of the
        balance. Returns what changed.
        """
        self.days_advanced += 1
        affiliate = data.money(self.rng.uniform(20, 120))
        solution = data.money(self.rng.uniform(30, 150))
        chatbot = data.money(self.rng.choice((0.0, 0.0, 24.0, 48.0)))
        self.add_commission("affiliate", "livechat", affiliate)
        self.add_commission("solution", "livechat", solution)
        if chatbot:
            self.add_commission("affiliate", "chatbot", chatbot)
        for campaign in self.campaigns:
            if campaign["active"]:
                stats = self.performance.setdefault(
                    f"{campaign['product']}/{campaign['slug']}",
                    {"clicks": 0, "trials": 0, "paid": 0, "commission": 0.0},
                )
                stats["clicks"] += self.rng.randint(3, 40)
        paid_out = 0.0
        requested: dict[str, Any] | None = None
        if self.days_advanced % 7 == 0:
            for withdrawal in self.withdrawals:
                if withdrawal["status"] == "pending":
                    withdrawal["status"] = "paid"
                    withdrawal["action_timestamp"] = self.stamp()
                    paid_out += withdrawal["amount"]
            amount = data.money(self.balance() / 10)
            if amount >= 50:
                requested = self.request_withdrawal(amount)
        return {
            "day": self.days_advanced,
            "commission_added": data.money(affiliate + solution + chatbot),
            "paid_out": data.money(paid_out),
            "withdrawal_requested": requested,
        }

    # --- licenses and tokens -----------------------------------------------------------------------

    def find_license(self, license_id: str, product: str | None = None) -> dict[str, Any] | None:
        """Look a license up, optionally insisting on its product."""
        lic = self.licenses.get(license_id)
        if lic is None or (product is not None and lic["product"] != product):
            return None
        return lic

    def issue_token(self, last4: str, brand: str) -> IssuedToken:
        """Mint a Recurly-looking one-time token (22 base62 chars, seeded)."""
        alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        token_id = "".join(self.rng.choice(alphabet) for _ in range(22))
        issued = IssuedToken(id=token_id, last4=last4, brand=brand, created=self.now())
        self.issued_tokens[token_id] = issued
        return issued


SANDBOX_STATE = web.AppKey("SANDBOX_STATE", SandboxState)
"""Where ``create_sandbox_app`` stores the state: ``app[SANDBOX_STATE]``."""
