"""Writing output files safely, and cells that stay text in a spreadsheet.

Every command that writes a file (``--out``) goes through ``atomic_write`` or ``atomic_path``:

- the output is refused (``OutputError``, exit 2) when it is the same file as one of the command's
  inputs -- the store, the CSV being matched, a manifest, a scanned document -- so a slip such as
  ``svmine match x.csv -c name --out x.csv`` can never truncate the input before it is read;
- a missing output folder is created;
- the content goes to a temporary file beside the target (same folder, so the rename stays on one
  file system), is flushed and fsynced, and only then ``os.replace``-d over the target. A failure
  or an interruption at any point removes the temporary file and leaves an existing target as
  it was: a bad input never costs the previous output.

Decisions:
- An output that exists and is not a regular file (``/dev/stdout``, ``/dev/null``, a FIFO) is
  written directly: it cannot be replaced, and renaming over a device node would be harmful.
- A target that is a symbolic link is replaced where the link points, so the link survives.
- The new file gets the permissions of the file it replaces, or 0666 minus the umask for a new
  one (``mkstemp`` alone would leave it 0600).

``spreadsheet_safe`` is the single rule for CSV and XLSX cells: a text cell starting with
``= + - @``, a tab or a carriage return gets a leading apostrophe, so a quote such as
``=HYPERLINK(...)`` or ``=cmd|' /C calc'!A0`` is shown as text, never run, by Excel, LibreOffice or
Google Sheets. Plain numbers ("-3", "+4.5") are left alone: they cannot be formulas, and a sign is
part of their value.
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from svmine.errors import SvmineError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


class OutputError(SvmineError):
    """An output that cannot or must not be written (same file as an input, a folder...)."""

    code = "output_error"


# -- checks --------------------------------------------------------------------------------------


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """True when ``a`` and ``b`` name one file (hard links and symlinks included)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        # one of them does not exist yet: compare where the names lead
        return Path(a).resolve() == Path(b).resolve()


def check_output(out: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str] | None] = ()) -> Path:
    """``out`` as a Path, or ``OutputError`` if it is a folder or the same file as an input."""
    path = Path(out)
    if str(out) in ("", "."):
        raise OutputError("an output file name is needed")
    if path.is_dir():
        raise OutputError("is a folder; give a file name", str(path))
    for item in inputs:
        if item is None or not str(item):
            continue
        if Path(item).is_dir():
            continue  # a folder input is walked; its files are passed one by one when they matter
        if same_file(path, item):
            raise OutputError(f"the output is the same file as the input {item}; choose another output file",
                              str(path))
    return path


def _special(path: Path) -> bool:
    """An existing non-regular file (device, FIFO, socket): written in place, never replaced."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode)


def _target(path: Path) -> Path:
    if path.is_symlink():
        return Path(os.path.realpath(path))
    return path


def _new_mode(target: Path) -> int:
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _make_folder(folder: Path, shown: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"cannot write: {folder} is a file, not a folder", str(shown)) from None
    except OSError as exc:
        raise OutputError(f"cannot write: the folder {folder} cannot be created ({exc.strerror or exc})",
                          str(shown)) from None


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# -- writing -------------------------------------------------------------------------------------


@contextlib.contextmanager
def atomic_path(out: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str] | None] = ()) -> Iterator[Path]:
    """Yield a temporary path beside ``out`` for a library to write to (openpyxl, skops...);
    it replaces ``out`` only when the block ends without an exception."""
    path = check_output(out, inputs)
    target = _target(path)
    if _special(target):
        yield target
        return
    _make_folder(target.parent, path)
    mode = _new_mode(target)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp" + target.suffix, dir=target.parent)
    except OSError as exc:
        raise OutputError(f"cannot write in {target.parent} ({exc.strerror or exc})", str(path)) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        try:
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, target)
        except OSError as exc:
            raise OutputError(f"cannot write ({exc.strerror or exc})", str(path)) from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_folder(target.parent)


@contextlib.contextmanager
def atomic_write(
    out: str | os.PathLike[str],
    inputs: Iterable[str | os.PathLike[str] | None] = (),
    *,
    mode: str = "w",
    encoding: str | None = "utf-8",
    newline: str | None = None,
) -> Iterator[IO[Any]]:
    """Yield an open file whose content becomes ``out`` only if the block succeeds."""
    if "b" in mode:
        encoding = newline = None
    with atomic_path(out, inputs) as tmp:
        try:
            handle = open(tmp, mode, encoding=encoding, newline=newline)
        except OSError as exc:
            raise OutputError(f"cannot write ({exc.strerror or exc})", str(out)) from None
        with handle:
            yield handle
            handle.flush()


def write_text(out: str | os.PathLike[str], text: str, inputs: Iterable[str | os.PathLike[str] | None] = ()) -> Path:
    """Write ``text`` to ``out`` atomically (UTF-8); returns ``out``."""
    with atomic_write(out, inputs) as fh:
        fh.write(text)
    return Path(out)


# -- text shown in a table ----------------------------------------------------------------------


def truncate(text: str, width: int, *, keep_end: bool = False, tidy: bool = False, at_word: bool = False,
             drop_start: bool = False) -> str:
    """``text`` in at most ``width`` characters, the cut marked with one "…".

    The end is cut; with ``keep_end`` the middle is, so a document name keeps its start and its
    end (the extension and the last words, which often carry a date or version); with
    ``drop_start`` the start is, so text leading up to a mention keeps its last words. ``tidy``
    drops white space left before the mark ("social …" reads as "social…"); ``at_word`` cuts at
    a space rather than inside a word, when there is one to cut at (context windows in the report).
    """
    if len(text) <= width:
        return text
    keep = width - 1
    if drop_start:
        tail = text[-keep:]
        if at_word and " " in tail:
            tail = tail[tail.find(" ") + 1:]
        return "…" + tail
    if not keep_end:
        cut = text.rfind(" ", 0, keep) if at_word else -1
        head = text[: cut if cut > 0 else keep]
        return (head.rstrip() if tidy else head) + "…"
    tail = min(len(text), max(keep // 2, keep - keep // 2))
    head = keep - tail
    return text[:head] + "…" + text[-tail:]


# -- paths shown in a table ----------------------------------------------------------------------


def short_paths(paths: Iterable[str]) -> dict[str, str]:
    """Path -> how to show it: the file name, or the shortest trailing part unique among ``paths``.

    ``/a/plans/x.pdf`` and ``/b/plans/x.pdf`` become ``a/plans/x.pdf`` and ``b/plans/x.pdf``;
    a lone ``/a/plans/y.pdf`` is just ``y.pdf``. The same path always gets the same text.
    """
    unique = list(dict.fromkeys(paths))
    parts = {p: [q for q in p.replace("\\", "/").split("/") if q] or [p] for p in unique}
    depth = {p: 1 for p in unique}
    while True:
        shown: dict[str, list[str]] = {}
        for p in unique:
            shown.setdefault("/".join(parts[p][-depth[p]:]), []).append(p)
        clashes = [group for group in shown.values() if len(group) > 1]
        grown = False
        for group in clashes:
            for p in group:
                if depth[p] < len(parts[p]):
                    depth[p] += 1
                    grown = True
        if not grown:
            break
    return {p: "/".join(parts[p][-depth[p]:]) for p in unique}


# -- spreadsheet cells ---------------------------------------------------------------------------


def spreadsheet_safe(value: Any) -> Any:
    """``value``, with a leading apostrophe when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` whose text cells go through ``spreadsheet_safe``."""

    def __init__(self, stream: IO[str], **kwargs: Any):
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([spreadsheet_safe(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class SafeDictWriter(csv.DictWriter):
    """``csv.DictWriter`` whose text cells go through ``spreadsheet_safe`` (the header too)."""

    def writeheader(self) -> Any:
        return self.writer.writerow([spreadsheet_safe(f) for f in self.fieldnames])

    def writerow(self, rowdict: Any) -> Any:
        return super().writerow({k: spreadsheet_safe(v) for k, v in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Any]) -> None:
        for row in rowdicts:
            self.writerow(row)
