"""Worker processes die with the process that started them, whatever killed it (``kill -9`` too).

A worker normally learns that its parent is gone from EOF on its pipe, but only when no other
process holds the parent's end: forked siblings inherit each other's pipe ends, and a worker
busy on a long PDF reads nothing until it is done. So ``tie_to_parent`` (called first thing in
every worker and in the per-file extraction child) adds two independent guards:

- Linux: ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` through ctypes: the kernel kills the worker the
  moment its parent thread exits. A parent that died before the call is caught by comparing
  ``getppid()`` with the pid the parent passed down.
- Everywhere: a daemon thread that polls ``getppid()`` and ends the process when it changes
  (the orphan was re-parented to init or a subreaper).
"""

from __future__ import annotations

import os
import signal
import sys
import threading

PR_SET_PDEATHSIG = 1
POLL_SECONDS = 0.5


def _set_parent_death_signal(sig: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent_pid: int) -> None:
    event = threading.Event()
    while not event.wait(POLL_SECONDS):
        if os.getppid() != parent_pid:
            os._exit(1)


def tie_to_parent(parent_pid: int | None = None, watchdog: bool = True) -> None:
    """End this process when its parent (``parent_pid``, default the current parent) dies."""
    parent_pid = parent_pid or os.getppid()
    _set_parent_death_signal(signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before the death signal was armed
        os._exit(1)
    if watchdog:
        threading.Thread(target=_watch, args=(parent_pid,), name="svmine-lifeline", daemon=True).start()


def ignore_interrupts() -> None:
    """In a worker: Ctrl-C (sent to the whole process group) is the parent's to handle; it
    stops the workers itself and records the run. SIGTERM gets its default (die) back in case
    the parent's handler was inherited through fork."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
