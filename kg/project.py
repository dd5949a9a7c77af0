"""Where a project's files live: ontology/, data/, queries/ and the store directory.

The project folder is chosen as git chooses a repository: ``--root``, then ``$KG_ROOT``,
then the current folder or its nearest parent that holds ontology/ and data/, then the
checkout this package runs from (``pip install -e .``), then the graph installed with the
package (``kg/graph/``, copied there when the wheel is built). The store lives in
``ROOT/.kg`` (or ``--store-dir``, ``$KG_HOME``); for the installed graph, whose folder may
be read-only, in the user's cache folder.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KgError

PACKAGE = Path(__file__).resolve().parent
INSTALLED_GRAPH = PACKAGE / "graph"


def is_project(folder: Path) -> bool:
    """Whether a folder holds a graph project (ontology/ and data/)."""
    return (folder / "ontology").is_dir() and (folder / "data").is_dir()


def find_root(start: Path | None = None) -> Path:
    """The project folder when none is given: ``$KG_ROOT``, the current folder or its nearest
    parent holding one, the checkout the package runs from, or the installed graph."""
    env = os.environ.get("KG_ROOT")
    if env:
        return Path(env)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_project(folder):
            return folder
    for folder in (PACKAGE.parent, INSTALLED_GRAPH):
        if is_project(folder):
            return folder
    raise KgError(f"{here}: not in a project folder (no ontology/ and data/ here or above), and no graph "
                  "is installed with the package; give --root")


def default_store_dir(root: Path) -> Path:
    """``ROOT/.kg``; for the graph installed with the package, a folder in the user's cache."""
    if root.resolve() == INSTALLED_GRAPH.resolve():
        import platformdirs

        from kg import __version__

        digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:12]
        return Path(platformdirs.user_cache_dir("postsoviet-conflicts-kg")) / f"{__version__}-{digest}"
    return root / ".kg"


@dataclass(frozen=True)
class Project:
    """Paths of one knowledge-graph project.

    ``store_dir`` defaults to ``$KG_HOME`` or :func:`default_store_dir`; it holds the
    embedded store and a manifest of what it was built from.
    """

    root: Path
    store_dir: Path

    @classmethod
    def at(cls, root: Path | str | None = None, store_dir: Path | str | None = None) -> Project:
        root_path = Path(root) if root else find_root()
        if not (root_path / "ontology").is_dir():
            raise KgError(f"{root_path}: not a project folder (no ontology/ in it)")
        home = store_dir or os.environ.get("KG_HOME") or default_store_dir(root_path)
        return cls(root=root_path.resolve(), store_dir=Path(home).resolve())

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def shapes_file(self) -> Path:
        return self.ontology_dir / "shapes.ttl"

    def ontology_files(self) -> list[Path]:
        """Turtle files of the ontology graph (the SHACL shapes are kept out of the store)."""
        return sorted(p for p in self.ontology_dir.glob("*.ttl") if p != self.shapes_file)

    def data_files(self) -> list[Path]:
        return sorted(self.data_dir.rglob("*.ttl"))

    def relative(self, path: Path) -> str:
        """A path as the user should read it in a message: relative to the root if inside it."""
        try:
            return str(path.resolve().relative_to(self.root))
        except ValueError:
            return str(path)
