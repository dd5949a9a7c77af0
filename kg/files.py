"""Writing output files as any careful tool does.

- A regular file (or a new one) is written all at once or not at all: through a temporary
  file beside it, renamed over it, with the permissions a new file gets under the umask (or
  those of the file it replaces).
- A symbolic link is followed: its target is written, and the link stays a link.
- A FIFO, a character device (a terminal, /dev/null, /dev/full) or ``-`` (standard output)
  is written into, never replaced.
- A folder that is missing or cannot be written, and a write that fails (a full disk), end
  in one line naming the path.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path

from kg.errors import KgError


def write_atomically(output: Path, data: bytes, *, label: str | None = None) -> int:
    """Write ``data`` to ``output`` as the module says; return the number of bytes written.

    ``label`` is how the path is named in an error (by default the path itself).
    """
    name = label or str(output)
    if str(output) == "-":
        return _stream(sys.stdout.buffer, data, name)
    target = Path(os.path.realpath(output)) if output.is_symlink() else output
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as err:
        raise KgError(f"{name}: cannot write: {err.strerror}") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise KgError(f"{name}: is a folder")
    if mode is not None and not stat.S_ISREG(mode):  # a FIFO, a device, a socket: write into it
        try:
            with target.open("wb") as handle:
                return _stream(handle, data, name)
        except OSError as err:
            raise KgError(f"{name}: cannot write: {err.strerror}") from None
    return _replace(target, data, name, None if mode is None else stat.S_IMODE(mode))


def _stream(handle, data: bytes, name: str) -> int:
    try:
        handle.write(data)
        handle.flush()
    except OSError as err:
        raise KgError(f"{name}: cannot write: {err.strerror}") from None
    return len(data)


def _replace(target: Path, data: bytes, name: str, mode: int | None) -> int:
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise KgError(f"{name}: folder {directory} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as err:
        raise KgError(f"{name}: cannot write in {directory}: {err.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file 0600; give it what a new file gets, or what the old one had
        os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
        os.replace(tmp, target)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise KgError(f"{name}: cannot write: {err.strerror}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(data)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
