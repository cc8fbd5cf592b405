"""Reading JSON-lines data files (annotations, the real-text gold) with errors that name the line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def json_objects(path: str | Path, error: type[Exception], what: str) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """``(line number, "NAME line N", object)`` for each non-blank line of ``path``.

    An unreadable file, a line that is not JSON or not a JSON object raises ``error`` (a
    ``SvmineError`` subclass) with the file and line, so callers only check their own fields.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise error(f"cannot read {what}: {reason}", str(path)) from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path.name} line {number}"
        try:
            data = json.loads(line)
        except ValueError as exc:
            raise error(f"{where}: not JSON ({exc.msg})") from exc
        if not isinstance(data, dict):
            raise error(f"{where}: not a JSON object")
        yield number, where, data
