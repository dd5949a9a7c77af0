"""Post-Soviet conflicts knowledge graph: ontology, sourced data, an embedded store and SPARQL.

The modules are small and by concept: :mod:`kg.project` (where things live),
:mod:`kg.store` (the triple store), :mod:`kg.build` (building it from ontology/ and data/),
:mod:`kg.query` (the query catalogue and result formats), :mod:`kg.entities` (search and
entity cards), :mod:`kg.stats`, :mod:`kg.validate`, :mod:`kg.export` and :mod:`kg.cli`.
"""

__version__ = "0.1.0"
