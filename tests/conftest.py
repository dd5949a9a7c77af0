"""Shared fixtures: a project built once into a temporary store, and a CLI runner."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build import build, open_store
from kg.cli import main
from kg.project import Project
from kg.server.http import close_server, make_server
from tests.browser import CHROMIUM, CHROMIUM_ARGS, browser_missing

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def project(tmp_path_factory) -> Project:
    """The checkout's ontology and data, built into a store of the test session's own."""
    proj = Project.at(ROOT, tmp_path_factory.mktemp("store"))
    build(proj)
    return proj


@pytest.fixture(scope="session")
def store(project):
    with open_store(project) as opened:
        yield opened


@pytest.fixture
def scratch_project(tmp_path) -> Project:
    """A writable copy of ontology/, data/ and queries/, for tests that break or change files."""
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return Project.at(tmp_path, tmp_path / ".kg")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def kg(runner, project):
    """Invoke ``kg`` against the session's project and store."""

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(
            main,
            ["--root", str(project.root), "--store-dir", str(project.store_dir), *args],
            input=input,
        )

    return invoke


@pytest.fixture
def kg_in(runner, scratch_project):
    """Invoke ``kg`` on a scratch project (its own store)."""

    def invoke(*args: str):
        result = runner.invoke(main, ["--root", str(scratch_project.root), *args])
        return result

    invoke.project = scratch_project
    return invoke


@pytest.fixture(scope="session")
def browser():
    reason = browser_missing()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _require(reason: str | None) -> None:
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"remote-store tests cannot run in CI: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    """An Oxigraph server on loopback (union default graph), empty."""
    from tests.servers import oxigraph_missing, start_oxigraph

    _require(oxigraph_missing())
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    """A private Virtuoso 7 instance on loopback (both ports), empty; dba/dba."""
    from tests.servers import start_virtuoso, virtuoso_missing

    _require(virtuoso_missing())
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def endpoint(project):
    """`kg serve` on a free loopback port, with a 2 s time limit and a 5,000-row limit."""
    server = make_server(project.store_dir, project.queries_dir, port=0, timeout=2.0,
                         row_limit=5000, workers=2)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield base
    server.shutdown()
    close_server(server)


@pytest.fixture
def read_only(tmp_path):
    """Make a folder (with what was put in it) read-only: by its mode for a user, by a
    read-only tmpfs mount for root (whom modes do not stop)."""
    import subprocess

    mounted = []

    def make(folder: Path, fill=None) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() != 0:
            if fill is not None:
                fill(folder)
            for path in [folder, *folder.rglob("*")]:
                path.chmod(path.stat().st_mode & ~0o222)
            return folder
        if subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(folder)], capture_output=True).returncode:
            pytest.skip("running as root, and no tmpfs can be mounted to make a folder read-only")
        mounted.append(folder)
        if fill is not None:
            fill(folder)
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        return folder

    yield make
    for folder in mounted:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
    for path in tmp_path.rglob("*"):
        try:
            path.chmod(path.stat().st_mode | 0o200)
        except OSError:
            pass
