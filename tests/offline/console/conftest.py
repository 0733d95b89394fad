"""Fixtures shared by the console tests."""

from __future__ import annotations

import pytest

from bot.offline.console import repl
from bot.offline.local_stack import LocalStack


@pytest.fixture
def stacks(monkeypatch: pytest.MonkeyPatch) -> list[LocalStack]:
    """Each console run's stack, in order (a setup hook, as the console offers), to read its sandbox."""
    seen: list[LocalStack] = []
    monkeypatch.setattr(repl, "SETUP_HOOKS", [seen.append])
    return seen
