"""The store folder (``.kg/``): generations of the store, one writer at a time, readers that
never see a write in progress, and damage found before a query runs into it.

Every write (a build, an import, a removal) makes a new *generation*: a folder
``store-ID/`` made from the current one (pyoxigraph's backup, which hard-links RocksDB's
immutable table files, so a copy of millions of statements costs well under a second),
changed, compacted and closed, then published by replacing ``manifest.json`` in one rename.
The manifest names the current generation, what it was built from, what it holds, and the
size and modification time of each of its files. So:

- readers open the generation the manifest names and *pin* it (a shared ``flock`` on
  ``store-ID.pin``) while they use it; nothing a writer does touches it;
- a writer takes ``lock`` (an exclusive ``flock``) for the whole write: a second writer
  waits for it, and nothing is lost;
- a crash mid-write leaves an unpublished generation that no reader ever saw; the next
  command that can take the lock removes it, with any generation no reader pins;
- a file of the current generation whose size or modification time changed since it was
  published was damaged (or truncated, or replaced), and opening refuses it in one line.

Stores made before generations existed (``store/`` and a manifest without ``store``) are
read as generation ``store``.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KgError

MANIFEST = "manifest.json"
LOCK = "lock"
LEGACY = "store"
GENERATION_PREFIX = "store-"
PIN_SUFFIX = ".pin"
REPAIR_HINT = "run `kg repair` (it rebuilds from ontology/ and data/ and re-imports the recorded import files)"


class DamagedStore(KgError):
    """A file of the store changed since it was published, or cannot be read."""


def read_manifest(store_dir: Path) -> dict | None:
    """The published manifest, or None if there is none (or it cannot be read)."""
    try:
        manifest = json.loads((store_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def generation_of(manifest: dict | None) -> str | None:
    """The folder name of the generation a manifest publishes."""
    if manifest is None:
        return None
    return manifest.get("store", LEGACY)


def current_path(store_dir: Path) -> Path | None:
    """The folder of the current generation, or None if nothing was published."""
    name = generation_of(read_manifest(store_dir))
    return store_dir / name if name else None


def file_states(folder: Path) -> dict[str, list[int]]:
    """Size and modification time (ns) of each file of a closed generation."""
    states = {}
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.is_file() and entry.name not in ("LOCK", "LOG") and not entry.name.startswith("LOG.old"):
            stat = entry.stat()
            states[entry.name] = [stat.st_size, stat.st_mtime_ns]
    return states


def check(folder: Path, manifest: dict) -> None:
    """Raise :class:`DamagedStore` if a file of the generation changed since it was published."""
    recorded = manifest.get("files_state")
    if not recorded:
        return  # published before the states were recorded
    if not folder.is_dir():
        raise DamagedStore(f"{folder}: the store's folder is missing; {REPAIR_HINT}")
    for name, (size, mtime) in recorded.items():
        try:
            stat = (folder / name).stat()
        except OSError:
            raise DamagedStore(f"{folder / name}: missing from the store; {REPAIR_HINT}") from None
        if stat.st_size != size or stat.st_mtime_ns != mtime:
            change = "truncated or extended" if stat.st_size != size else "overwritten"
            raise DamagedStore(f"{folder / name}: damaged (the file was {change} after the store was written); "
                               f"{REPAIR_HINT}")


def publish(store_dir: Path, manifest: dict) -> None:
    """Make ``manifest`` (and the generation it names) current, in one rename."""
    tmp = store_dir / f"{MANIFEST}.{os.getpid()}.tmp"
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(store_dir / MANIFEST)
    directory = os.open(store_dir, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def new_generation(store_dir: Path) -> Path:
    """A fresh, unused generation folder name (not created)."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    return store_dir / f"{GENERATION_PREFIX}{stamp}-{os.getpid()}-{time.monotonic_ns() % 10**9}"


# --- the writer's lock ---------------------------------------------------------------------

@contextmanager
def writer_lock(store_dir: Path, *, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the store folder's writer lock; wait for another writer (telling ``on_wait`` once)."""
    path = store_dir / LOCK
    try:
        store_dir.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+", encoding="utf-8")
    except OSError as err:
        raise KgError(f"{store_dir}: cannot write the store there: {err.strerror} "
                      "(reading commands still work; give --store-dir for a writable folder)") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another kg command"
            if on_wait is not None:
                on_wait(f"waiting for {holder} to finish writing the store ...")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()}")
            handle.flush()
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def _try_writer_lock(store_dir: Path) -> int | None:
    try:
        fd = os.open(store_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


# --- readers' pins and the removal of what no one uses ------------------------------------

@dataclass
class Pin:
    """A reader's hold on one generation: while held, no writer removes it."""

    path: Path
    manifest: dict
    fd: int | None

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing drops the flock
            self.fd = None


def pin_current(store_dir: Path, *, attempts: int = 20) -> Pin | None:
    """Pin the current generation (None if nothing was published); check it for damage."""
    for _ in range(attempts):
        manifest = read_manifest(store_dir)
        name = generation_of(manifest)
        if name is None:
            return None
        path = store_dir / name
        try:
            fd = os.open(f"{path}{PIN_SUFFIX}", os.O_RDONLY | os.O_CREAT, 0o644)
        except OSError:
            fd = None  # a read-only store folder: no writer can run there either
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_SH)
        # the generation may have been replaced and removed between reading the manifest and
        # pinning it: read the manifest again, and start over if it moved on
        if generation_of(read_manifest(store_dir)) == name and path.is_dir():
            pin = Pin(path, manifest, fd)
            try:
                check(path, manifest)
            except DamagedStore:
                pin.release()
                raise
            return pin
        if fd is not None:
            os.close(fd)
    raise KgError(f"{store_dir}: the store kept changing while it was being opened; try again")


def remove_unused(store_dir: Path) -> list[str]:
    """Remove generations, pins and scratch folders that are not current and that no reader pins.

    Call with the writer lock held (:func:`tidy` takes it if it is free).
    """
    current = generation_of(read_manifest(store_dir))
    removed, generations = [], set()
    for entry in sorted(store_dir.iterdir()) if store_dir.is_dir() else []:
        if entry.name.startswith(".import-") or entry.name.startswith(f"{MANIFEST}."):
            entry.unlink(missing_ok=True) if entry.is_file() else shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry.name)
            continue
        name = entry.name.removesuffix(PIN_SUFFIX)
        if name != current and (name == LEGACY or name.startswith((GENERATION_PREFIX, f"{LEGACY}."))):
            generations.add(name)
    for name in sorted(generations):
        pin = store_dir / f"{name}{PIN_SUFFIX}"
        fd = os.open(pin, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue  # a reader still uses it
        try:
            shutil.rmtree(store_dir / name, ignore_errors=True)
            pin.unlink(missing_ok=True)
        finally:
            os.close(fd)
        removed.append(name)
    return removed


def tidy(store_dir: Path) -> list[str]:
    """Remove what crashed writers and retired generations left, if no writer is at work."""
    if not (store_dir / MANIFEST).exists():
        return []
    fd = _try_writer_lock(store_dir)
    if fd is None:
        return []
    try:
        return remove_unused(store_dir)
    finally:
        os.close(fd)


# --- opening the current generation ------------------------------------------------------

def open_current(store_dir: Path):
    """The current generation, pinned and opened read-only (an :class:`kg.store.OxigraphStore`
    whose ``close`` releases the pin); None if nothing was published."""
    from kg.store import OxigraphStore

    tidy(store_dir)
    pin = pin_current(store_dir)
    if pin is None:
        return None
    return OxigraphStore(pin.path, read_only=True, on_close=pin.release)


class Follower:
    """The current generation for a long-running reader (a server's worker): reopened when a
    writer publishes a new one, so that every query sees the latest published state.

    Checking costs one ``stat`` of the manifest.
    """

    def __init__(self, store_dir: Path) -> None:
        self.store_dir = store_dir
        self.store = None
        self._seen: tuple[int, int] | None = None

    def current(self):
        """The store as published now (raises :class:`DamagedStore` or KgError if it cannot be opened)."""
        try:
            stat = (self.store_dir / MANIFEST).stat()
            seen = (stat.st_ino, stat.st_mtime_ns)
        except OSError:
            seen = None
        if self.store is None or seen != self._seen:
            fresh = open_current(self.store_dir)
            if fresh is None:
                raise KgError(f"{self.store_dir}: no store has been built here")
            self.close()
            self.store, self._seen = fresh, seen
        return self.store

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None
