"""Where a project's files live: ontology/, data/, queries/ and the store directory."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KgError


def default_root() -> Path:
    """The checkout this package was installed from (``pip install -e .``), or ``$KG_ROOT``."""
    env = os.environ.get("KG_ROOT")
    return Path(env) if env else Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Project:
    """Paths of one knowledge-graph project.

    ``store_dir`` defaults to ``$KG_HOME`` or ``ROOT/.kg``; it holds the embedded store
    and a manifest of what it was built from.
    """

    root: Path
    store_dir: Path

    @classmethod
    def at(cls, root: Path | str | None = None, store_dir: Path | str | None = None) -> Project:
        root_path = Path(root) if root else default_root()
        if not (root_path / "ontology").is_dir():
            raise KgError(f"{root_path}: not a project folder (no ontology/ in it)")
        home = store_dir or os.environ.get("KG_HOME") or root_path / ".kg"
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
