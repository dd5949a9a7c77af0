"""Loading an import: scratch N-Triples chunks, bulk-loaded into the import's graph by a thread
while the rows are still being mapped (or all at the end, with --strict)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kg.errors import KgError
from kg.store import OxigraphStore

CHUNK_TRIPLES = 100_000  # bulk loads of this size run fastest here and start early (bench/README.md)


class Chunks:
    """Scratch N-Triples files of about ``size`` lines (a row's lines stay together); each
    full one goes to ``on_full``."""

    def __init__(self, stem: Path, size: int, on_full: Callable[[Path], None]) -> None:
        self.stem, self.size, self.on_full = stem, size, on_full
        self.number, self.lines, self.handle, self.path = 0, 0, None, None

    def write(self, lines: str) -> None:
        if self.handle is None:
            self.number += 1
            self.path = self.stem.with_name(f"{self.stem.name}-{self.number}.nt")
            self.handle = self.path.open("w", encoding="utf-8")
        self.handle.write(lines)
        self.lines += lines.count("\n")
        if self.lines >= self.size:
            self._hand_over()

    def _hand_over(self) -> None:
        self.handle.close()
        self.handle, self.lines = None, 0
        self.on_full(self.path)

    def close(self) -> None:
        if self.handle is not None:
            self._hand_over()

    def discard(self) -> None:
        """Drop the chunk being written (after a failure): it is not loaded."""
        if self.handle is not None:
            self.handle.close()
            self.path.unlink(missing_ok=True)
            self.handle = None


class Loader:
    """Bulk-loads scratch files into the import's graph, in a thread while mapping goes on
    (``overlap``), or all at the end; deletes each file once loaded."""

    def __init__(self, store: OxigraphStore, graph: str, *, overlap: bool) -> None:
        import queue
        import threading

        self.store, self.graph, self.overlap = store, graph, overlap
        self.pending: list[Path] = []
        self.error: BaseException | None = None
        if overlap:
            self.queue: queue.Queue[Path | None] = queue.Queue(maxsize=1)
            self.thread = threading.Thread(target=self._run, name="kg-import-loader", daemon=True)
            self.thread.start()

    def _load(self, path: Path) -> None:
        try:
            # lenient: the IRIs were built here from checked ids and slugs, the literals escaped
            # by pyoxigraph; skipping their re-validation saves a fifth of the load time
            self.store.bulk_load(path, self.graph, lenient=True)
        finally:
            path.unlink(missing_ok=True)

    def _run(self) -> None:
        while (path := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self._load(path)
                except BaseException as err:  # handed to the main thread by finish()
                    self.error = err
            else:
                path.unlink(missing_ok=True)

    def submit(self, path: Path) -> None:
        if self.error is not None:
            raise self.error
        if self.overlap:
            self.queue.put(path)
        else:
            self.pending.append(path)

    def finish(self) -> None:
        if self.overlap:
            self.queue.put(None)
            self.thread.join()
            if self.error is not None:
                raise self.error
        else:
            while self.pending:
                self._load(self.pending.pop(0))

    def abandon(self) -> None:
        if self.overlap and self.thread.is_alive():
            self.error = self.error or KgError("import abandoned")
            self.queue.put(None)
            self.thread.join()
        for path in self.pending:
            path.unlink(missing_ok=True)
        self.pending.clear()
