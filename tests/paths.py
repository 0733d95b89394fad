"""Where things are, for tests at any depth: the repository and the documented API examples.

The examples live in shared/ beside the repository (`../shared/partners-api-examples`), which is
where CI and every developer's checkout have them.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / ".." / "shared" / "partners-api-examples"
