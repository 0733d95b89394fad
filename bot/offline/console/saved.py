"""What the console keeps between runs besides its database: its vault key and how far its clock moved.

Both sit in a small JSON file beside the database (`data/console.db` → `data/console.json`), so a
second `partners-bot console` can still decrypt the demo card and continues on the day `tomorrow`
reached (otherwise the digests already delivered for that day would look like a bug).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

DEFAULT_DATABASE = Path("data") / "console.db"


@dataclass
class SavedState:
    path: Path
    vault_key: str | None = None
    clock_offset: timedelta = timedelta(0)

    @classmethod
    def beside(cls, database: Path) -> SavedState:
        """The state saved next to `database`, or a fresh one when there is none (or it is unreadable)."""
        path = database.with_suffix(".json")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            offset = timedelta(seconds=float(data.get("clock_offset_seconds", 0)))
            key = data.get("vault_key")
            return cls(path, key if isinstance(key, str) else None, offset)
        except (OSError, ValueError, TypeError, AttributeError):
            return cls(path)

    def save(self) -> None:
        data = {"vault_key": self.vault_key, "clock_offset_seconds": self.clock_offset.total_seconds()}
        # Only the console's own throw-away demo key is in here, but keep it private all the same.
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(data, file)


def forget(database: Path) -> None:
    """`--fresh`: delete the saved database (and its WAL files) and state."""
    for path in (
        database,
        database.with_suffix(".json"),
        Path(f"{database}-wal"),
        Path(f"{database}-shm"),
    ):
        path.unlink(missing_ok=True)
