"""Writing output files: all at once or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from kg.errors import KgError


def write_atomically(output: Path, data: bytes, *, label: str | None = None) -> int:
    """Write ``data`` to ``output`` through a temporary file beside it, so that a failure
    leaves no half-written file; return the number of bytes written. ``label`` is how the
    path is named in an error (by default the path itself)."""
    directory = output.parent if str(output.parent) else Path(".")
    if not directory.is_dir():
        raise KgError(f"{label or output}: folder {directory} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(data)
