"""Take away a process's means of reaching the network, for the workers that run clients' queries.

pyoxigraph answers SERVICE by making the HTTP request itself, and it offers no switch to stop
that. Refusing SERVICE in the query text (:func:`kg.sparql_tokens.calls_service`) is the
first line; this is the guarantee behind it: a seccomp filter, installed in the worker before
it opens the store, makes every ``socket()`` call other than a Unix-domain one fail with
EACCES, so no query, however it is spelled, can open a connection (nor resolve a name over
UDP). The worker talks to the server over a socket pair it inherited, which stays usable.

Linux on x86-64 and AArch64 only; elsewhere :func:`forbid_network` reports that it could not.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import struct
import sys

# Linux's ABI: prctl options, seccomp return values and the classic BPF opcodes used below
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_ERRNO = 0x00050000
_BPF_LD_W_ABS = 0x20
_BPF_JEQ_K = 0x15
_BPF_JGE_K = 0x35
_BPF_RET_K = 0x06
_AF_UNIX = 1

# per architecture: the audit arch value, socket(2) and io_uring_setup(2) syscall numbers
_ARCHES = {
    "x86_64": (0xC000003E, 41, 425),
    "aarch64": (0xC00000B7, 198, 425),
}


def _filter(arch: int, nr_socket: int, nr_io_uring: int) -> bytes:
    deny = _SECCOMP_RET_ERRNO | errno.EACCES
    program = [
        (_BPF_LD_W_ABS, 0, 0, 4),                     # A = seccomp_data.arch
        (_BPF_JEQ_K, 1, 0, arch),                     # the expected ABI: go on
        (_BPF_RET_K, 0, 0, deny),                     # another ABI (x32, i386 on x86-64): nothing
        (_BPF_LD_W_ABS, 0, 0, 0),                     # A = seccomp_data.nr
        (_BPF_JGE_K, 0, 1, 0x40000000),               # x32 syscall numbers
        (_BPF_RET_K, 0, 0, deny),
        (_BPF_JEQ_K, 0, 1, nr_io_uring),              # io_uring could open sockets behind our back
        (_BPF_RET_K, 0, 0, deny),
        (_BPF_JEQ_K, 0, 3, nr_socket),                # not socket(): allowed
        (_BPF_LD_W_ABS, 0, 0, 16),                    # A = low half of args[0], the domain
        (_BPF_JEQ_K, 1, 0, _AF_UNIX),                 # Unix-domain sockets: allowed
        (_BPF_RET_K, 0, 0, deny),                     # every other family: EACCES
        (_BPF_RET_K, 0, 0, _SECCOMP_RET_ALLOW),
    ]
    return b"".join(struct.pack("HBBI", *instruction) for instruction in program)


def forbid_network() -> str | None:
    """Make every later ``socket()`` of this process (and its children) other than AF_UNIX fail.

    Returns None when done, or why it could not be done on this system. It cannot be undone.
    """
    arches = _ARCHES.get(platform.machine())
    if not sys.platform.startswith("linux") or arches is None or sys.byteorder != "little":
        return f"no network sandbox on {sys.platform} {platform.machine()}"
    code = _filter(*arches)
    buffer = ctypes.create_string_buffer(code)

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = SockFprog(len(code) // 8, ctypes.addressof(buffer))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return f"prctl(NO_NEW_PRIVS) failed: {errno.errorcode.get(ctypes.get_errno(), '?')}"
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.addressof(prog), 0, 0) != 0:
        return f"seccomp filter refused: {errno.errorcode.get(ctypes.get_errno(), '?')}"
    return None
