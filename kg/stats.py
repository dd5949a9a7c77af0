"""Counts over the graph: triples per named graph, instances per class, sources."""

from __future__ import annotations

from dataclasses import dataclass

from kg.namespaces import compact
from kg.query import internal_query, select_rows
from kg.store import Store


@dataclass
class Stats:
    triples: int
    graphs: dict[str, int]
    classes: dict[str, int]
    sources: int
    cited: int

    def as_dict(self) -> dict:
        return {
            "triples": self.triples, "graphs": self.graphs, "classes": self.classes,
            "sources": self.sources, "resources_citing_a_source": self.cited,
        }


def stats(store: Store) -> Stats:
    """Triples per named graph, instances per ontology class, number of sources (in the curated
    data). Imported graphs are counted from their own VoID description, so this stays fast on
    millions of imported statements."""
    graph_rows = select_rows(store, internal_query("stats_graphs"))
    class_rows = select_rows(store, internal_query("stats_classes"))
    graphs = {r["graph"].value: int(r["triples"].value) for r in graph_rows}
    # imports record their own size at import time: no scan of millions of imported statements
    imports = select_rows(store, internal_query("void_imports"))
    graphs.update({r["graph"].value: int(r["triples"].value) for r in imports})
    graphs = dict(sorted(graphs.items()))
    classes = {compact(r["class"].value): int(r["count"].value) for r in class_rows}
    row = select_rows(store, internal_query("stats_sources"))[0]
    return Stats(
        triples=sum(graphs.values()), graphs=graphs, classes=classes,
        sources=int(row["sources"].value), cited=int(row["cited"].value),
    )


@dataclass(frozen=True)
class Coverage:
    """What the catalogue holds about one conflict; ``missing`` lists the failed gates."""

    conflict: str
    label: str
    kinds: str
    start: str
    end: str
    parent: str
    parties: int
    sources: int
    events: int
    claims: int
    casualties: int
    mediators: int
    places: int
    pointed: int
    ucdp: str
    wikidata: str

    @property
    def missing(self) -> list[str]:
        """The quality gates this conflict fails: label, kind, start, two parties, a source, a place
        with a point, and a casualty claim (of it, its phases or events) with a source graded A-C."""
        gates = {"label": bool(self.label), "kind": bool(self.kinds), "start": bool(self.start),
                 "2 parties": self.parties >= 2, "source": self.sources >= 1, "place with a point": self.pointed >= 1,
                 "graded casualty claim": self.casualties >= 1}
        return [name for name, ok in gates.items() if not ok]

    def as_dict(self) -> dict:
        return {**self.__dict__, "missing": self.missing}


COVERAGE_COLUMNS = ("conflict", "label", "kinds", "start", "end", "parent", "parties", "sources", "events",
                    "claims", "casualties", "mediators", "places", "pointed", "ucdp", "wikidata")


def coverage(store: Store) -> list[Coverage]:
    """One row per conflict, in order of start date: gates and counts (see kg/sparql/coverage.rq)."""
    rows = []
    for row in select_rows(store, internal_query("coverage")):
        def text(name: str, row=row) -> str:
            term = row.get(name)
            return compact(term.value) if term is not None else ""

        def count(name: str, row=row) -> int:
            term = row.get(name)
            return int(term.value) if term is not None else 0

        rows.append(Coverage(
            conflict=text("conflict"), label=text("label"), kinds=text("kinds"), start=text("start"),
            end=text("end"), parent=text("parent"), parties=count("parties"), sources=count("sources"),
            events=count("events"), claims=count("claims"), casualties=count("casualties"),
            mediators=count("mediators"), places=count("places"), pointed=count("pointed"),
            ucdp=text("ucdp"), wikidata=text("wikidata"),
        ))
    return rows


def coverage_markdown(rows: list[Coverage]) -> str:
    """The coverage table as Markdown, as the README shows it."""
    head = ("conflict", "start", "end", "kind", "parties", "events", "claims", "graded casualty claims", "mediators",
            "sources", "UCDP", "gates")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = (r.label or r.conflict, r.start, r.end or "ongoing", r.kinds, r.parties, r.events, r.claims,
                 r.casualties, r.mediators, r.sources, r.ucdp,
                 "ok" if not r.missing else "missing " + ", ".join(r.missing))
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"
