"""One module per measurement; each has `NAME`, `TITLE` and `async run(quick) -> list[Figure]`."""

from __future__ import annotations

import importlib.util
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bench.report import Figure


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    run: Callable[[bool], Awaitable[list[Figure]]]


def feature_present(*modules: str) -> bool:
    """True when every module exists in this tree (features still being built may not)."""
    try:
        return all(importlib.util.find_spec(name) is not None for name in modules)
    except ModuleNotFoundError:
        return False


def all_scenarios() -> list[Scenario]:
    from bench.scenarios import cold, digest, memory, modal, on_screen, throughput

    return [Scenario(m.NAME, m.TITLE, m.run) for m in (on_screen, cold, throughput, modal, digest, memory)]
