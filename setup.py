"""The wheel carries the graph: ontology/, data/ and queries/ stay at the top of the
repository and are copied into the built package as ``kg/graph/`` (see kg.project)."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

GRAPH_FOLDERS = ("ontology", "data", "queries")


class BuildWithGraph(build_py):
    def run(self) -> None:
        super().run()
        root = Path(__file__).resolve().parent
        target = Path(self.build_lib) / "kg" / "graph"
        for folder in GRAPH_FOLDERS:
            shutil.rmtree(target / folder, ignore_errors=True)
            shutil.copytree(root / folder, target / folder,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"))


setup(cmdclass={"build_py": BuildWithGraph})
