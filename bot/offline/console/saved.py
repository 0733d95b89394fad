"""What the console keeps between runs besides its database: its vault key, how far its clock moved,
and the sandbox's world.

All three sit in a small JSON file beside the database (`data/console.db` → `data/console.json`), so a
second `partners-bot console` can still decrypt the demo card, continues on the day `tomorrow`
reached (otherwise the digests already delivered for that day would look like a bug), and talks to a
sandbox that remembers what the bot did to it: a trial subscribed in the last run is still paid, a
campaign created is still listed, commission earned overnight is still there. The clock offset and
the world are saved together, so the sandbox's clock (its `days_advanced`) and the console's agree.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.offline.sandbox.world import SandboxWorld, WorldError

DEFAULT_DATABASE = Path("data") / "console.db"
DEMO_DATA = "the sandbox starts from its demo data (`--fresh` starts the bot's side over too)"


@dataclass
class SavedState:
    path: Path
    vault_key: str | None = None
    clock_offset: timedelta = timedelta(0)
    world: SandboxWorld | None = None
    # One line for the banner when a saved sandbox world was there but could not be used.
    notice: str | None = None
    _written: str | None = field(default=None, repr=False, compare=False)

    @classmethod
    def beside(cls, database: Path) -> SavedState:
        """The state saved next to `database`, or a fresh one when there is none (or it is unreadable)."""
        path = database.with_suffix(".json")
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path)
        except OSError as exc:
            return cls(path, notice=f"{path} could not be read ({exc.strerror}), so {DEMO_DATA}.")
        try:
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError("not an object")
            offset = timedelta(seconds=float(data.get("clock_offset_seconds", 0)))
        except (ValueError, TypeError, OverflowError):
            return cls(path, notice=f"{path} is not what the console saves, so {DEMO_DATA}.")
        key = data.get("vault_key")
        saved = cls(path, key if isinstance(key, str) else None, offset)
        raw_world = data.get("sandbox_world")
        if raw_world is None:
            saved.notice = f"{path} was saved before the console kept the sandbox, so {DEMO_DATA}."
            return saved
        try:
            saved.world = SandboxWorld.from_json(raw_world)
        except WorldError as exc:
            saved.notice = f"The saved sandbox world was left aside ({exc}), so {DEMO_DATA}."
        return saved

    def save(self) -> None:
        """Write the file if anything changed since the last write (this runs after every command)."""
        data: dict[str, Any] = {
            "vault_key": self.vault_key,
            "clock_offset_seconds": self.clock_offset.total_seconds(),
            "sandbox_world": self.world.to_json() if self.world is not None else None,
        }
        text = json.dumps(data)
        if text == self._written:
            return
        # Write a private temporary file and rename it over the old one: a console killed mid-write
        # leaves the previous state, not half a file. Only the console's own throw-away demo key is
        # in here, but keep it private all the same.
        partial = self.path.with_name(self.path.name + ".partial")
        partial.unlink(missing_ok=True)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(text)
            os.replace(partial, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                partial.unlink()
            raise
        self._written = text


def forget(database: Path) -> None:
    """`--fresh`: delete the saved database (and its WAL files) and state, the sandbox's world too."""
    state = database.with_suffix(".json")
    for path in (
        database,
        state,
        state.with_name(state.name + ".partial"),
        Path(f"{database}-wal"),
        Path(f"{database}-shm"),
    ):
        path.unlink(missing_ok=True)
