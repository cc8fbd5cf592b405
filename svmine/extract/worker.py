"""Per-file time limits: extraction in a child process that is killed when time is up.

Decision: a thread or a signal cannot stop PDFium or pdfminer looping inside one call (C code,
or pure-Python code holding a damaged object graph), and a crash inside PDFium would take the
whole batch down. So a batch sends one file at a time to a long-lived child process and waits
with a deadline; on timeout the child is killed and a fresh one starts for the next file.
The child dies with its parent, ``kill -9`` included (``svmine.lifeline``).
The child is a plain ``python -m svmine.extract.worker`` talking over two pipes
(``multiprocessing.connection.Connection`` on raw file descriptors) rather than a
``multiprocessing.Process``: that needs no ``if __name__ == "__main__"`` guard in the
caller's script and inherits nothing from the parent. Results cross the pipe as plain dicts;
errors as (class name, message, path) and are rebuilt as the same typed error.
"""

from __future__ import annotations

import os
import subprocess
import sys
from multiprocessing.connection import Connection
from pathlib import Path

from svmine import errors
from svmine.errors import CorruptFileError, ExtractionError, ExtractionTimeout
from svmine.model import Document


def _serve(inbox: Connection, conn: Connection) -> None:
    from svmine.extract.reader import read_document

    while True:
        try:
            request = inbox.recv()
        except EOFError:
            return
        if request is None:
            return
        path, options = request
        try:
            doc = read_document(Path(path), **options)
            conn.send(("ok", doc.to_dict()))
        except ExtractionError as exc:
            conn.send(("error", type(exc).__name__, _message(exc), exc.path))


def _message(exc: errors.SvmineError) -> str:
    text = str(exc)
    prefix = f"{exc.path}: " if exc.path else ""
    return text[len(prefix) :] if prefix and text.startswith(prefix) else text


def _rebuild(name: str, message: str, path: str | None) -> ExtractionError:
    cls = getattr(errors, name, ExtractionError)
    if not (isinstance(cls, type) and issubclass(cls, ExtractionError)):
        cls = ExtractionError
    return cls(message, path)


class ExtractWorker:
    """One child process extracting files in turn; restarted after a timeout or crash."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen | None = None
        self._conn: Connection | None = None
        self._send: Connection | None = None

    def _start(self) -> None:
        down_r, down_w = os.pipe()  # parent -> child
        up_r, up_w = os.pipe()  # child -> parent
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "svmine.extract.worker", str(down_r), str(up_w), str(os.getpid())],
            pass_fds=(down_r, up_w),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
        os.close(down_r)
        os.close(up_w)
        self._send = Connection(down_w, readable=False)
        self._conn = Connection(up_r, writable=False)

    def extract(self, path: str | os.PathLike, timeout: float, **options) -> Document:
        """``extract_document(path, **options)`` in the child, stopped after ``timeout`` seconds."""
        options = {"engine": "auto", "ocr": True, "max_pages": 2000, **options}
        if self._proc is None or self._proc.poll() is not None:
            self._kill()
            self._start()
        try:
            self._send.send((str(path), options))
        except OSError:  # the child died between files: start again once
            self._kill()
            self._start()
            self._send.send((str(path), options))
        if not self._conn.poll(timeout):
            self._kill()
            raise ExtractionTimeout(f"stopped after the {timeout:g} s time limit", str(path))
        try:
            reply = self._conn.recv()
        except (EOFError, OSError):
            code = self._proc.wait(5) if self._proc else None
            self._kill()
            raise CorruptFileError(f"the PDF library crashed on this file (exit code {code})", str(path)) from None
        if reply[0] == "ok":
            return Document.from_dict(reply[1])
        raise _rebuild(*reply[1:])

    def _kill(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
        if self._proc is not None:
            self._proc.wait(5)
        for conn in (self._send, self._conn):
            if conn is not None:
                conn.close()
        self._proc = self._conn = self._send = None

    def close(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            try:
                self._send.send(None)
                self._proc.wait(2)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self._kill()

    def __enter__(self) -> "ExtractWorker":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def run_with_timeout(path: str | os.PathLike, timeout: float, **options) -> Document:
    with ExtractWorker() as worker:
        return worker.extract(path, timeout, **options)


if __name__ == "__main__":
    from svmine.lifeline import ignore_interrupts, tie_to_parent

    ignore_interrupts()  # Ctrl-C reaches the whole group: the parent stops this child itself
    tie_to_parent(int(sys.argv[3]) if len(sys.argv) > 3 else None)  # and it dies with the parent
    _serve(Connection(int(sys.argv[1]), writable=False), Connection(int(sys.argv[2]), readable=False))
