"""Every emoji code the bot writes in a message renders as an emoji in the console, not as `:code:`.

The codes are read from the product code itself (string literals under bot/ and handlers/, not the
console's own bot/offline), so a message that starts using a new emoji fails here until the console
knows it.
"""

from __future__ import annotations

import ast
import re

from bot.offline.console.mrkdwn import render_mrkdwn
from tests.paths import ROOT

CODE = re.compile(r":([a-z][a-z0-9_+\-]*):")
# Literals shaped like an emoji code that are not one: SQLite's in-memory database name.
NOT_EMOJI = {"memory"}


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring nodes (they describe, they are never sent)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def product_emoji() -> dict[str, str]:
    """`{code: "path:line"}` for every `:code:` in a string literal of the product code."""
    found: dict[str, str] = {}
    offline = ROOT / "bot" / "offline"
    for folder in ("bot", "handlers"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if offline in path.parents:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            skip = _docstrings(tree)
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
                    for code in CODE.findall(node.value):
                        if code not in NOT_EMOJI:
                            found.setdefault(code, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_the_scan_finds_the_emoji_the_messages_use() -> None:
    # Guards the test below against passing on an empty scan.
    found = product_emoji()
    assert {"warning", "white_check_mark", "alarm_clock", "grey_question"} <= set(found)


def test_the_console_renders_every_emoji_the_bot_uses() -> None:
    raw = {
        code: where for code, where in product_emoji().items() if f":{code}:" in render_mrkdwn(f":{code}:")
    }
    assert raw == {}, f"shown raw in the console (add them to bot/offline/console/mrkdwn.py EMOJI): {raw}"
