"""`python -m bench.counted_serve COUNTS_FILE serve --port P …`: `partners-bot serve` counting its SQL.

The digest scenario runs its replicas through this wrapper: it adds a SQLAlchemy
`before_cursor_execute` listener on every engine of the process, then hands over to the bot's own
CLI unchanged. The counts (by statement kind: verb, table, and for an UPDATE the columns it sets)
are written to COUNTS_FILE every half second and at exit, so the benchmark can show that claiming and
reading stay per batch, not per channel.
"""

from __future__ import annotations

import atexit
import json
import re
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

_SET = re.compile(r"(\w+)\s*=")
_TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE)\s+\"?(\w+)", re.IGNORECASE)


def statement_kind(statement: str) -> str:
    """`SELECT digest_deliveries`, `INSERT digest_deliveries`, `UPDATE digest_deliveries SET claimed_at`…"""
    verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "?"
    table = _TABLE.search(statement)
    kind = f"{verb} {table.group(1) if table else '?'}"
    if verb == "UPDATE":
        assignments = statement.split(" SET ", 1)[-1].split(" WHERE ", 1)[0]
        kind += " SET " + ",".join(_SET.findall(assignments))
    return kind


def install(path: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    lock = threading.Lock()

    @event.listens_for(Engine, "before_cursor_execute")
    def _count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        with lock:
            counts[statement_kind(statement)] += 1

    def dump() -> None:
        with lock:
            text = json.dumps(counts)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text)
        tmp.replace(path)

    def every_half_second() -> None:
        while True:
            threading.Event().wait(0.5)
            dump()

    threading.Thread(target=every_half_second, daemon=True).start()
    atexit.register(dump)
    return counts


def main() -> int:
    install(Path(sys.argv[1]))
    from bot.cli import main as cli_main

    return cli_main(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
