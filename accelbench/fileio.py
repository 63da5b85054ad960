"""Writing output files: one rule for every command, and atomic writes.

The rule (README, "Command line"): an output's missing parent folders are created; a path
that is a directory, whose parent is a file, or that cannot be written (permissions, a
read-only file system) is refused with one :class:`OutputPathError` naming it, before any
work is done where the command can tell in advance. Files are written through a temporary
file in the same folder and ``os.replace``, so a reader never sees a half-written file and
an interrupted write leaves the old file (or none) behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from accelbench.errors import AccelbenchError

#: the signals that `accelbench` turns into a clean stop (see accelbench.cli)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class OutputPathError(AccelbenchError):
    """An output path that cannot be written."""


def _reason(exc: OSError) -> str:
    if exc.errno == errno.EISDIR:
        return "it is a directory"
    if exc.errno == errno.ENOTDIR:
        return "a parent is not a directory"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.EROFS:
        return "read-only file system"
    if exc.errno == errno.ENOSPC:
        return "no space left on device"
    return exc.strerror or type(exc).__name__


def _fail(path: Path, what: str, exc: OSError, hint: str = "") -> OutputPathError:
    return OutputPathError(f"cannot write {what} {path}: {_reason(exc)}{hint}")


def ensure_dir(path: str | Path, *, what: str = "folder", hint: str = "") -> Path:
    """``path`` as a writable directory, created with its parents if missing.

    ``hint`` is appended to the error message (e.g. how to choose another folder).
    """
    path = Path(path).expanduser()
    if path.exists() and not path.is_dir():
        raise OutputPathError(f"cannot use {what} {path}: it exists and is not a "
                              f"directory{hint}")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _fail(path, what, exc, hint) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise OutputPathError(f"cannot write {what} {path}: permission denied{hint}")
    # os.access does not see read-only mounts, and root passes it everywhere: probe.
    try:
        fd, probe = tempfile.mkstemp(dir=path, prefix=".tmp-probe-")
    except OSError as exc:
        raise _fail(path, what, exc, hint) from None
    os.close(fd)
    os.unlink(probe)
    return path


def check_output_file(path: str | Path, *, what: str = "output file") -> Path:
    """Apply the output rule to a file path without writing it; return the path.

    Creates missing parents; refuses a directory, and a folder that cannot be written.
    """
    path = Path(path).expanduser()
    if path.is_dir():
        raise OutputPathError(f"cannot write {what} {path}: it is a directory")
    if path.name in ("", ".", ".."):
        raise OutputPathError(f"cannot write {what} {path}: not a file name")
    try:
        ensure_dir(path.parent, what="its folder")
    except OutputPathError as exc:
        reason = str(exc).replace("cannot write ", "", 1).replace("cannot use ", "", 1)
        raise OutputPathError(f"cannot write {what} {path}: {reason}") from None
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_output(path: str | Path, *, what: str = "output file") -> Iterator[Path]:
    """A temporary path beside ``path``; moved onto ``path`` if the block succeeds.

    For writers that want a file name (a VCD dump, a tool's output). On an exception or
    a stop signal the temporary file is removed and ``path`` is left as it was.
    """
    path = check_output_file(path, what=what)
    try:
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    except OSError as exc:
        raise _fail(path, what, exc) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        raise _fail(path, what, exc) from None
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write_bytes(path: str | Path, data: bytes, *, what: str = "output file") -> None:
    """Write ``data`` to ``path`` through a temporary file and ``os.replace``.

    The file gets the usual permissions (0666 minus the umask), not mkstemp's 0600.
    """
    with atomic_output(path, what=what) as tmp:
        try:
            tmp.write_bytes(data)
        except OSError as exc:
            raise _fail(Path(path), what, exc) from None


def atomic_write_text(path: str | Path, text: str, *, what: str = "output file") -> None:
    atomic_write_bytes(path, text.encode(), what=what)


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block ends (a short commit of several files).

    A signal that arrives meanwhile is remembered and raised again when the block is
    done, so only SIGKILL or a crash can stop the block half-way (``accelbench report``
    then repairs the report from the raw files). The Python-level handlers are swapped,
    not the thread's signal mask, because the kernel may deliver a process-directed signal
    to any thread. A no-op off the main thread, where handlers cannot be set.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    previous = {s: signal.signal(s, lambda signum, _frame: pending.append(signum))
                for s in STOP_SIGNALS}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if pending:
            signal.raise_signal(pending[0])
