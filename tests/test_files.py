"""Output files (kg.files): atomic for regular files, the target of a symlink, streamed into a
FIFO or a device, permissions by the umask, one line for a path that cannot be written."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from kg.errors import KgError
from kg.files import write_atomically


@pytest.fixture
def umask_027():
    old = os.umask(0o027)
    yield
    os.umask(old)


def test_a_new_file_gets_the_permissions_of_the_umask(tmp_path, umask_027):
    path = tmp_path / "out.ttl"
    assert write_atomically(path, b"data") == 4
    assert path.read_bytes() == b"data" and stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_replaced_file_keeps_its_permissions_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "out.ttl"
    path.write_bytes(b"old")
    path.chmod(0o604)
    write_atomically(path, b"new")
    assert path.read_bytes() == b"new" and stat.S_IMODE(path.stat().st_mode) == 0o604
    assert os.listdir(tmp_path) == ["out.ttl"]


def test_a_symlink_is_followed_and_stays_a_link(tmp_path):
    target, link = tmp_path / "real.ttl", tmp_path / "link.ttl"
    target.write_bytes(b"old")
    link.symlink_to(target)
    write_atomically(link, b"new")
    assert link.is_symlink() and target.read_bytes() == b"new"


def test_a_fifo_is_written_into_not_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_atomically(fifo, b"streamed")
    reader.join(timeout=10)
    assert received == [b"streamed"] and stat.S_ISFIFO(fifo.stat().st_mode)


def test_character_devices_are_written_into_and_a_full_one_is_one_line():
    write_atomically(Path("/dev/null"), b"gone")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    with pytest.raises(KgError, match=r"^/dev/full: cannot write: No space left on device$"):
        write_atomically(Path("/dev/full"), b"x" * 10)
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


@pytest.mark.parametrize(("path", "message"), [
    ("/proc/kg-output.ttl", r"^/proc/kg-output\.ttl: cannot write in /proc: "),
    ("/nonexistent-folder/out.ttl", r"^/nonexistent-folder/out\.ttl: folder /nonexistent-folder does not exist$"),
])
def test_a_path_that_cannot_be_written_is_one_line(path, message):
    with pytest.raises(KgError, match=message):
        write_atomically(Path(path), b"data")


def test_export_to_a_full_device_and_to_standard_output(kg):
    result = kg("export", "--format", "nt", "-o", "/dev/full")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip().endswith("/dev/full: cannot write: No space left on device"), result.output
    result = kg("export", "--format", "nt", "-o", "-")
    assert result.exit_code == 0 and result.output.count("\n") > 9000


def test_a_read_only_folder_is_one_line(tmp_path, read_only):
    folder = read_only(tmp_path / "locked")
    with pytest.raises(KgError, match=rf"^{folder}/out\.ttl: cannot write in {folder}: "):
        write_atomically(folder / "out.ttl", b"data")
