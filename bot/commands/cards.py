"""`partners-bot cards`: the encrypted card vault (import, list, remove, rotate-key, new-key)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from bot.clock import SystemClock
from bot.settings import SettingsError, load_settings
from bot.storage import Database
from bot.vault import CardVault, VaultError, VaultKeyError, new_key, open_vault, parse_cards

T = TypeVar("T")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "cards",
        help="the encrypted card vault used by /subscribe",
        description="The encrypted card vault used by /subscribe.",
        epilog="Settings: VAULT_KEY and DATABASE_URL (new-key needs none).",
    )
    actions = parser.add_subparsers(dest="cards_command", required=True, metavar="ACTION")
    load = actions.add_parser(
        "import",
        help="validate and store cards from a JSON file (one card or a list)",
        description="Fields (all required, as Recurly requires them): label, first_name, last_name, "
        "number, month, year, cvv, address1, city, state (billing state or region; asked for at a "
        "terminal when missing), zip, country (two-letter ISO code). A card with an existing label "
        "replaces it.",
    )
    load.add_argument("file", type=Path, help="JSON file; delete it once imported")
    load.set_defaults(func=run_import)
    load.epilog = "Settings: VAULT_KEY and DATABASE_URL."
    listing = actions.add_parser(
        "list",
        help="label, brand, last 4 digits and expiry of every card",
        epilog="Settings: VAULT_KEY and DATABASE_URL.",
    )
    listing.set_defaults(func=run_list)
    remove = actions.add_parser(
        "remove", help="delete a card by label", epilog="Settings: VAULT_KEY and DATABASE_URL."
    )
    remove.add_argument("label")
    remove.set_defaults(func=run_remove)
    rotate = actions.add_parser(
        "rotate-key",
        help="re-encrypt every card with the first key of VAULT_KEY (keep old keys after it)",
        epilog="Settings: VAULT_KEY (new key first, then the old ones) and DATABASE_URL.",
    )
    rotate.set_defaults(func=run_rotate)
    key = actions.add_parser("new-key", help="print a new random key for VAULT_KEY", epilog="Settings: none.")
    key.set_defaults(func=run_new_key)


def _with_vault(work: Callable[[CardVault], Awaitable[T]]) -> T:
    """Run `work` on the configured vault; a missing or bad VAULT_KEY becomes a SettingsError."""
    settings = load_settings()

    async def main() -> T:
        db = Database(settings.database_url)
        try:
            vault = open_vault(settings.vault_key, db, SystemClock())
            await db.upgrade()
            return await work(vault)
        finally:
            await db.close()

    try:
        return asyncio.run(main())
    except VaultKeyError as exc:
        raise SettingsError(str(exc)) from None


def run_import(args: argparse.Namespace) -> int:
    try:
        payload = json.loads(args.file.read_text(encoding="utf-8"))
    except OSError as exc:
        print(f"partners-bot: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    except ValueError as exc:
        # json's message names line and column only, never the content.
        print(f"partners-bot: {args.file} is not valid JSON ({exc})", file=sys.stderr)
        return 1
    if sys.stdin.isatty():
        _ask_missing_states(payload)
    cards, problems = parse_cards(payload, SystemClock().now().date())
    for problem in problems:
        print(f"rejected {problem}", file=sys.stderr)
    if problems:
        print("Nothing was imported: fix the cards above and run the import again.", file=sys.stderr)
        return 1
    if not cards:
        print(
            f"partners-bot: nothing was imported: {args.file} holds no card "
            "(put one card object, or a list of them, in it)",
            file=sys.stderr,
        )
        return 1

    async def store(vault: CardVault) -> list[str]:
        replaced = await vault.put_many(cards)  # one transaction: every card or none
        return [
            f"{'replaced' if was else 'imported'} {card.summary()}, expires {card.month:02d}/{card.year}"
            for card, was in zip(cards, replaced, strict=True)
        ]

    for line in _with_vault(store):
        print(line)
    print(f"Done. Delete {args.file} now: the vault keeps the card encrypted.")
    return 0


def _ask_missing_states(payload: object) -> None:
    """Recurly requires `state`: ask for it, at a terminal, for each card that has none."""
    items = payload if isinstance(payload, list) else [payload]
    for index, item in enumerate(items):
        if isinstance(item, dict) and not str(item.get("state") or "").strip():
            label = item.get("label") if isinstance(item.get("label"), str) else f"#{index + 1}"
            try:
                answer = input(f"Billing state or region for card {label!r} (required by Recurly): ")
            except EOFError:
                return
            item["state"] = answer.strip()


def run_list(args: argparse.Namespace) -> int:
    cards = _with_vault(lambda vault: vault.list())
    if not cards:
        print("The vault is empty. Add a card with `partners-bot cards import FILE`.")
        return 0
    width = max(len(card.label) for card in cards)
    for card in cards:
        print(f"{card.label:<{width}}  {card.brand:<16}  •••• {card.last4}  expires {card.expiry}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    if _with_vault(lambda vault: vault.remove(args.label)):
        print(f"removed {args.label!r}")
        return 0
    print(f"partners-bot: no card labelled {args.label!r} (see `partners-bot cards list`)", file=sys.stderr)
    return 1


def run_rotate(args: argparse.Namespace) -> int:
    try:
        count = _with_vault(lambda vault: vault.rotate())
    except VaultError as exc:
        print(f"partners-bot: {exc}", file=sys.stderr)
        return 1
    print(
        f"re-encrypted {count} card{'s' if count != 1 else ''} with the first key of VAULT_KEY; "
        "older keys can now be removed from VAULT_KEY"
    )
    return 0


def _has_vault_key() -> bool:
    try:
        settings = load_settings()
    except SettingsError:  # another setting is broken: the first-time advice is still right
        return bool(os.environ.get("VAULT_KEY", "").strip())
    return settings.vault_key is not None and bool(settings.vault_key.get_secret_value().strip())


def run_new_key(args: argparse.Namespace) -> int:
    print(new_key())
    if _has_vault_key():
        advice = (
            "To rotate: put it first in VAULT_KEY (comma-separated, e.g. VAULT_KEY=new,old), run "
            "`partners-bot cards rotate-key`, then drop the old key."
        )
    else:
        advice = (
            "Put it in .env as VAULT_KEY=<the key above> and keep a copy somewhere safe: cards stored "
            "with it cannot be read without it. Then add a card with `partners-bot cards import FILE`."
        )
    print(advice, file=sys.stderr)
    return 0
