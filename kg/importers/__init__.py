"""Import other conflict datasets (UCDP GED, UCDP/PRIO ACD, UCDP BRD, ACLED) into named graphs.

:func:`import_file` streams a CSV file row by row, maps each row to N-Triples in a temporary
file beside the store (reporting malformed rows by line and skipping them, or, with
``strict``, failing before the store is touched), then bulk-loads that file into the
import's own named graph, ``graph/import/DATASET/FILE-CHECKSUM``, described with its
provenance. Every IRI comes from the dataset's own ids, so importing the same file again
changes nothing; ``replace`` swaps a new file in for all earlier imports of the dataset.

The modules: :mod:`~kg.importers.base` (reading CSV, writing statements), one per dataset
(:mod:`~kg.importers.ucdp`, :mod:`~kg.importers.acled`), :mod:`~kg.importers.pipeline`,
:mod:`~kg.importers.loading`, :mod:`~kg.importers.provenance` and
:mod:`~kg.importers.graphs` (listing and removing imports).
"""

from __future__ import annotations

from kg.importers.acled import Acled
from kg.importers.base import Importer
from kg.importers.ucdp import UcdpAcd, UcdpBrd, UcdpGed

#: The importers by the name ``kg import NAME FILE`` takes.
IMPORTERS: dict[str, type[Importer]] = {cls.name: cls for cls in (UcdpGed, UcdpAcd, UcdpBrd, Acled)}

from kg.importers.graphs import (  # noqa: E402 - after IMPORTERS, which the pipeline reads
    checksum,
    drop_incomplete,
    graph_for,
    import_graphs,
    list_imports,
    remove_imports,
)
from kg.importers.pipeline import MAX_REPORTED_ERRORS, ImportReport, import_file  # noqa: E402

__all__ = ["IMPORTERS", "MAX_REPORTED_ERRORS", "ImportReport", "checksum", "drop_incomplete", "graph_for",
           "import_file", "import_graphs", "list_imports", "remove_imports"]
