"""Post-Soviet conflicts knowledge graph: ontology, sourced data, an embedded store and SPARQL.

Open the graph and ask it questions (see :mod:`kg.api`)::

    import kg
    g = kg.open()
    g.search("Schaparov")
    g.query("casualty-claims").to_dataframe()

The modules are small and by concept: :mod:`kg.project` (where things live), :mod:`kg.store`
and :mod:`kg.storage` (the triple store and its folder), :mod:`kg.build`, :mod:`kg.query`
(the query catalogue), :mod:`kg.entities` (search and cards), :mod:`kg.network` and
:mod:`kg.analytics` (networks), :mod:`kg.views_html`, :mod:`kg.importers`, :mod:`kg.stats`,
:mod:`kg.sources`, :mod:`kg.validate`, :mod:`kg.export`, :mod:`kg.server` and :mod:`kg.cli`,
the ``kg`` command, a thin shell over :mod:`kg.api`.
"""

from kg.api import KnowledgeGraph, Rows, View, open
from kg.errors import KgError

__version__ = "0.1.0"
__all__ = ["KgError", "KnowledgeGraph", "Rows", "View", "__version__", "open"]
