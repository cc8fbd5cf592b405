"""Input files: walking folders, hashing, and telling a file's format from its content.

Stdlib only, so `svmine --help` and `svmine scan`'s planning stay light.
"""

from __future__ import annotations

import fnmatch
import os
import stat
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from svmine.errors import EmptyFileError, UnsupportedFormatError
from svmine.hashing import sha256_file  # noqa: F401  (public here: svmine.extract.sha256_file)

FORMATS = ("pdf", "docx", "html", "text")

# Magic numbers of formats people drop into a folder of plans that we do not read.
_KNOWN_BINARY = {
    b"\x89PNG": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
    b"II*\x00": "TIFF image",
    b"MM\x00*": "TIFF image",
    b"\xd0\xcf\x11\xe0": "legacy Microsoft Office file (.doc/.xls)",
    b"Rar!": "RAR archive",
    b"\x1f\x8b": "gzip archive",
}
# Data files that travel with a corpus (manifests, ground truth, tables): never documents.
SIDECAR_SUFFIXES = {".json", ".jsonl", ".csv", ".tsv", ".yaml", ".yml", ".toml", ".sha256", ".md5", ".db", ".sqlite"}
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<meta ", b"<title")


def display_path(path: str | os.PathLike | bytes) -> str:
    """``path`` as printable, storable text: bytes that are not UTF-8 become ``\\xNN`` escapes.

    File names are bytes on Linux; Python carries undecodable ones as lone surrogates
    (``surrogateescape``), which cannot be printed or written to SQLite as text. This form is
    for showing; the exact name is kept where it is needed to find the file again
    (``document_paths`` stores it as bytes).
    """
    text = os.fsdecode(path) if isinstance(path, bytes) else os.fspath(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return os.fsencode(text).decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that did not come from a file name
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def detect_format(path: str | os.PathLike) -> str:
    """Return "pdf", "docx", "html" or "text", judged from the bytes, never the file name.

    Raises EmptyFileError for a zero-byte file and UnsupportedFormatError for anything else
    (images, archives, legacy Office files, undecodable binary).
    """
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise EmptyFileError("file is empty (0 bytes)", str(path))
    with open(path, "rb") as fh:
        head = fh.read(4096)
    # PDF readers accept a header anywhere in the first 1 KiB (some files start with junk).
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_format(path)
    for magic, name in _KNOWN_BINARY.items():
        if head.startswith(magic):
            raise UnsupportedFormatError(f"unsupported format: {name}", str(path))
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith(b"<?xml") and b"<html" not in lowered:
        raise UnsupportedFormatError("unsupported format: XML (not a web page)", str(path))
    if any(marker in lowered[:2048] for marker in _HTML_MARKERS):
        return "html"
    if _looks_binary(head):
        raise UnsupportedFormatError("unsupported format: binary data, not PDF/DOCX/HTML/text", str(path))
    return "text"


def _zip_format(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except zipfile.BadZipFile:
        raise UnsupportedFormatError("unsupported format: damaged ZIP archive", str(path)) from None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        raise UnsupportedFormatError("unsupported format: Excel workbook (.xlsx)", str(path))
    if "ppt/presentation.xml" in names:
        raise UnsupportedFormatError("unsupported format: PowerPoint file (.pptx)", str(path))
    raise UnsupportedFormatError("unsupported format: ZIP archive", str(path))


def _looks_binary(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text carries NULs legitimately
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls > max(8, len(head) // 50)


def iter_input_files(
    paths: Iterable[str | os.PathLike],
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    recursive: bool = True,
    skipped: list[tuple[Path, str]] | None = None,
) -> Iterator[Path]:
    """Yield the files named in ``paths``, walking folders in sorted order.

    ``include``/``exclude`` are glob patterns matched against the file name and against the
    path relative to the folder given (so ``broken/*`` works). Files named explicitly are
    always yielded (the user asked for them). Inside a walk, hidden files and folders and the
    data files that travel with a corpus (``SIDECAR_SUFFIXES``: JSON, CSV, YAML manifests and
    ground truth such as ``planted.json``) are skipped; name such a file to extract it.
    A file reached twice is yielded once.

    Special files (FIFO, socket, device, dangling or device-pointing symlink) are never
    yielded: reading a FIFO or ``/dev/zero`` blocks or never ends. When ``skipped`` is a list,
    each one found (named, or walked and matching the globs) is appended as ``(path, reason)``
    so the caller can say why it was left out.
    """
    include, exclude = tuple(include), tuple(exclude)
    seen: set[Path] = set()
    for given in paths:
        root = Path(given)
        if root.is_dir():
            candidates = _walk(root, recursive)
        else:
            candidates = iter([(root, root.name, special_file_reason(root))])
        for path, rel, reason in candidates:
            key = path.resolve() if reason is None else path.absolute()
            if key in seen:
                continue
            if root.is_dir() and not _wanted(path.name, rel, include, exclude):
                continue
            seen.add(key)
            if reason is None:
                yield path
            elif skipped is not None:
                skipped.append((path, reason))


_KINDS = (
    (stat.S_ISFIFO, "named pipe (FIFO)"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
    (stat.S_ISSOCK, "socket"),
    (stat.S_ISDIR, "folder"),
)


def special_file_reason(path: str | os.PathLike) -> str | None:
    """Why ``path`` is not a regular file that can be read to its end, or None when it is one.

    Decided from ``lstat``/``stat`` alone: the file is never opened (opening a FIFO blocks
    until a writer appears; ``/dev/zero`` never ends).
    """
    try:
        own = os.lstat(path)
    except FileNotFoundError:
        return "no such file"
    except OSError as exc:
        return f"cannot inspect ({exc.strerror or exc})"
    mode, link = own.st_mode, ""
    if stat.S_ISLNK(mode):
        try:
            mode = os.stat(path).st_mode
        except OSError:
            try:
                target = os.readlink(path)
            except OSError:
                target = "?"
            return f"dangling symbolic link (to {target}): skipped unopened"
        link = f"symbolic link to {os.path.realpath(path)}, a "
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "special file")
    return f"{link}{kind}, not a regular file: skipped unopened"


def _walk(root: Path, recursive: bool) -> Iterator[tuple[Path, str, str | None]]:
    entries = sorted(root.iterdir(), key=lambda p: p.name)
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            if recursive:
                for path, rel, reason in _walk(entry, recursive):
                    yield path, f"{entry.name}/{rel}", reason
        elif entry.suffix.lower() not in SIDECAR_SUFFIXES:
            yield entry, entry.name, special_file_reason(entry)


def _wanted(name: str, rel: str, include: tuple[str, ...], exclude: tuple[str, ...]) -> bool:
    def hit(patterns: tuple[str, ...]) -> bool:
        return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(rel, p) for p in patterns)

    if include and not hit(include):
        return False
    return not hit(exclude)
