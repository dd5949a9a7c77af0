"""Installing kg as a tool: the wheel carries the graph, and the project folder is chosen as
git chooses a repository."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from kg import project as project_module
from kg.project import Project, find_root

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_carries_ontology_data_and_queries(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("postsoviet_conflicts_kg-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("ontology", "data", "queries"):
        shipped = {p.relative_to(ROOT).as_posix() for p in (ROOT / folder).rglob("*") if p.is_file()}
        assert {f"kg/graph/{name}" for name in shipped} <= names, folder
    assert "kg/sparql/search.rq" in names and "kg/templates/entity.html" in names


def _make_project(folder: Path) -> Path:
    (folder / "ontology").mkdir(parents=True)
    (folder / "data").mkdir()
    return folder


def test_the_project_folder_is_found_like_a_git_repository(tmp_path, monkeypatch):
    monkeypatch.delenv("KG_ROOT", raising=False)
    mine = _make_project(tmp_path / "mine")
    (mine / "notes" / "deep").mkdir(parents=True)
    assert find_root(mine / "notes" / "deep") == mine.resolve()
    monkeypatch.setenv("KG_ROOT", str(tmp_path / "elsewhere"))
    assert find_root(mine) == tmp_path / "elsewhere"
    monkeypatch.delenv("KG_ROOT")
    outside = tmp_path / "outside"
    outside.mkdir()
    assert find_root(outside) == ROOT  # the checkout this package runs from


def test_the_installed_graph_keeps_its_store_in_the_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("KG_ROOT", raising=False)
    monkeypatch.delenv("KG_HOME", raising=False)
    installed = _make_project(tmp_path / "site-packages" / "kg" / "graph")
    monkeypatch.setattr(project_module, "INSTALLED_GRAPH", installed)
    monkeypatch.setattr(project_module, "PACKAGE", tmp_path / "site-packages" / "kg")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    chosen = Project.at()
    assert chosen.root == installed.resolve()
    assert chosen.store_dir.is_relative_to((tmp_path / "cache" / "postsoviet-conflicts-kg").resolve())


def test_outside_any_project_without_an_installed_graph_is_one_line(tmp_path, monkeypatch):
    monkeypatch.delenv("KG_ROOT", raising=False)
    monkeypatch.setattr(project_module, "INSTALLED_GRAPH", tmp_path / "none")
    monkeypatch.setattr(project_module, "PACKAGE", tmp_path / "pkg" / "kg")
    with pytest.raises(Exception, match="not in a project folder"):
        find_root(tmp_path)


def test_kg_in_a_folder_of_ones_own_uses_its_data(tmp_path, monkeypatch):
    import shutil

    for folder in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / folder, tmp_path / "mine" / folder)
    (tmp_path / "mine" / "data" / "extra.ttl").write_text(
        '@prefix pskg: <https://w3id.org/pskg/ontology#> .\n@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n'
        '<https://w3id.org/pskg/id/person/test-extra-person> a pskg:Person ; '
        'skos:prefLabel "Extrafolder Testperson"@en ; pskg:hasSource <https://w3id.org/pskg/id/source/seed-article> .\n',
        encoding="utf-8")
    (tmp_path / "mine" / "notes").mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("KG_ROOT", "KG_HOME", "KG_STORE")}
    result = subprocess.run([sys.executable, "-m", "kg", "search", "Extrafolder", "--format", "json"],
                            cwd=tmp_path / "mine" / "notes", env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "person/test-extra-person" in result.stdout
    assert (tmp_path / "mine" / ".kg").is_dir()  # its own store, beside its own data
