"""Where the API contract lives: `<repo>/../shared/partners-api-examples` (as in CI's checkout)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.paths import EXAMPLES

EXAMPLES = EXAMPLES


@pytest.fixture(scope="session")
def examples() -> dict[str, Any]:
    """Every documented example response, by file stem; skips when the shared folder is absent."""
    if not EXAMPLES.is_dir():
        pytest.skip(f"the API contract folder {EXAMPLES} is absent (clone shared/ beside the repo)")
    return {path.stem: json.loads(path.read_text()) for path in sorted(EXAMPLES.glob("*.json"))}
