"""Serving the graph over HTTP: the SPARQL endpoint, the pages, and the query executor."""
