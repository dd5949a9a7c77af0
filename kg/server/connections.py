"""Connections to `kg serve`: held by a selector until they send something, then served by a
bounded pool of threads, one request each.

The standard library's threading server starts a thread per connection and keeps it while
the client says nothing; a few thousand silent connections were a few thousand threads.
Here a silent connection costs a file descriptor, no thread; it is closed after the socket
timeout, and past ``max_waiting`` the oldest are closed first. A connection that has sent
data is served by one of ``threads`` threads (requests beyond them wait in a queue), and
closed after its answer (HTTP/1.0-style, so that no thread waits on an idle keep-alive).
"""

from __future__ import annotations

import collections
import queue
import selectors
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import HTTPServer


class ReactorServer(HTTPServer):
    """An HTTPServer whose connections wait in a selector and are served by a thread pool."""

    request_queue_size = 512  # the listen backlog
    allow_reuse_address = True

    def __init__(self, address, handler, *, threads: int = 32, socket_timeout: float = 15.0,
                 max_waiting: int = 4096) -> None:
        self.socket_timeout, self.max_waiting = socket_timeout, max_waiting
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="kg-serve")
        self._selector = selectors.DefaultSelector()
        self._incoming: queue.SimpleQueue = queue.SimpleQueue()
        self._waiting: collections.OrderedDict[socket.socket, tuple[tuple, float]] = collections.OrderedDict()
        self._wake_read, self._wake_write = socket.socketpair()
        self._wake_read.setblocking(False)
        self._selector.register(self._wake_read, selectors.EVENT_READ)
        self._stopping = False
        super().__init__(address, handler)
        self._reactor = threading.Thread(target=self._react, name="kg-serve-reactor", daemon=True)
        self._reactor.start()

    def process_request(self, request, client_address) -> None:
        """Called for each accepted connection: hand it to the reactor, which waits for its data."""
        self._incoming.put((request, client_address))
        try:
            self._wake_write.send(b"\0")
        except OSError:
            pass

    def _react(self) -> None:
        while not self._stopping:
            for key, _ in self._selector.select(timeout=1.0):
                if key.fileobj is self._wake_read:
                    self._drain_wakeups()
                    continue
                request = key.fileobj
                self._selector.unregister(request)
                address, _ = self._waiting.pop(request)
                self._pool.submit(self._serve, request, address)
            self._expire()

    def _drain_wakeups(self) -> None:
        try:
            while self._wake_read.recv(4096):
                pass
        except (BlockingIOError, OSError):
            pass
        while True:
            try:
                request, address = self._incoming.get_nowait()
            except queue.Empty:
                return
            if len(self._waiting) >= self.max_waiting:
                oldest, _ = self._waiting.popitem(last=False)
                self._selector.unregister(oldest)
                self.shutdown_request(oldest)
            self._waiting[request] = (address, time.monotonic())
            self._selector.register(request, selectors.EVENT_READ)

    def _expire(self) -> None:
        deadline = time.monotonic() - self.socket_timeout
        while self._waiting:
            request, (_, since) = next(iter(self._waiting.items()))
            if since > deadline:
                return
            del self._waiting[request]
            self._selector.unregister(request)
            self.shutdown_request(request)

    def _serve(self, request, address) -> None:
        try:
            request.settimeout(self.socket_timeout)
            self.finish_request(request, address)
        except Exception:  # noqa: BLE001 - one broken connection must not end the server
            self.handle_error(request, address)
        finally:
            self.shutdown_request(request)

    def handle_error(self, request, client_address) -> None:
        """A client that went away is not the server's error: nothing is printed; anything
        else is one line on stderr (no traceback), so that a fault in a page is not silent."""
        import sys

        error = sys.exc_info()[1]
        if error is not None and not isinstance(error, OSError):
            sys.stderr.write(f"kg serve: error answering {client_address[0]}: {type(error).__name__}: {error}\n")

    def server_close(self) -> None:
        self._stopping = True
        try:
            self._wake_write.send(b"\0")
        except OSError:
            pass
        super().server_close()
        self._reactor.join(timeout=5)
        for request in list(self._waiting):
            self.shutdown_request(request)
        self._waiting.clear()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._selector.close()
        self._wake_read.close()
        self._wake_write.close()
