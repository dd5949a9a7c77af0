"""Interactive network views: one self-contained HTML file drawn with vis-network.

vis-network comes from the copy bundled in the pyvis package and is written into the page,
so the file opens offline with nothing beside it. The page is rendered from our own
template rather than pyvis's: pyvis's template asks a CDN for Bootstrap, and its
``add_edge`` scans every node and edge, which makes large views quadratic. Data reaches the
page as JSON in a ``<script type="application/json">`` block (with ``<``, ``>`` and ``&``
escaped) and is put on screen with ``textContent``, so a label is always text, never markup.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import networkx as nx

from kg.errors import KgError
from kg.files import write_atomically
from kg.layout import force_layout
from kg.namespaces import INSTANCE, compact
from kg.network import KINDS
from kg.vocab import PSKG

#: Colour and vis-network shape of each kind of node (one each, listed in the legend).
KIND_STYLES: dict[str, tuple[str, str]] = {
    "person": ("#e15759", "dot"),
    "state": ("#4e79a7", "square"),
    "organisation": ("#76b7b2", "triangle"),
    "place": ("#59a14f", "triangleDown"),
    "conflict": ("#b07aa1", "star"),
    "event": ("#f28e2b", "diamond"),
    "claim": ("#edc948", "hexagon"),
    "source": ("#9c755f", "box"),
    "office": ("#ff9da7", "ellipse"),
    "class": ("#4e79a7", "ellipse"),
    "other": ("#bab0ac", "dot"),
}
KIND_NAMES = {
    "en": {"person": "person", "state": "state", "organisation": "organisation", "place": "place",
           "conflict": "conflict", "event": "event", "claim": "claim", "source": "source", "office": "office",
           "class": "class", "other": "other"},
    "ru": {"person": "персона", "state": "государство", "organisation": "организация", "place": "место",
           "conflict": "конфликт", "event": "событие", "claim": "заявление", "source": "источник",
           "office": "должность", "class": "класс", "other": "другое"},
}

#: Above these sizes a browser cannot lay the network out smoothly: the page starts with a
#: layout computed here (kg.layout), physics off, sources folded into details, and says so.
LARGE_NODES = 1500
LARGE_EDGES = 5000
#: Imported events' points (kg.importers.base.locate), folded like sources in large views.
POINTS = INSTANCE + "point/"
#: How much more the links that make up a conflict (phase of, part of, claim about) pull
#: than other links in the large-view layout.
CONFLICT_WEIGHT = 3.0
_CONFLICT_LINKS = {PSKG.isPhaseOf, PSKG.isPartOfConflict, PSKG.isAbout}

_URL_SCHEMES = ("https://", "http://")


@dataclass(frozen=True)
class ViewInfo:
    """What was written: where, how many nodes and edges, and whether the view is large."""

    path: Path
    nodes: int
    edges: int
    large: bool
    bytes: int

    @property
    def advice(self) -> str | None:
        """A warning to print when the view is too large to lay out live."""
        if not self.large:
            return None
        return (f"{self.nodes} nodes and {self.edges} edges are more than a browser lays out smoothly: "
                "the page starts with a layout computed beforehand, physics off, and sources shown in "
                "each node's details rather than as nodes. "
                "Narrow the scope with --focus ENTITY --hops N, --conflict or --since/--until.")


def vis_assets() -> tuple[str, str]:
    """The vis-network script and stylesheet bundled in pyvis, ready to inline."""
    try:
        base = resources.files("pyvis").joinpath("templates", "lib", "vis-9.1.2")
        script = base.joinpath("vis-network.min.js").read_text(encoding="utf-8")
        style = base.joinpath("vis-network.css").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as err:
        raise KgError(f"cannot find vis-network in the pyvis package ({err}); reinstall pyvis") from None
    # no source-map fetch, and nothing that could close the inline <script> early
    script = re.sub(r"</(?=script)", r"<\\/", script.replace("//# sourceMappingURL=vis-network.min.js.map", ""),
                    flags=re.IGNORECASE)
    style = re.sub(r"</(?=style)", r"<\\/", style.replace("/*# sourceMappingURL=vis-network.min.css.map */", ""),
                   flags=re.IGNORECASE)
    return script, style


def script_json(data: object) -> str:
    """JSON safe to embed in an HTML ``<script>`` element.

    >>> script_json({"label": "</script><b>"})
    '{"label": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(data, ensure_ascii=False, separators=(", ", ": "))
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _safe_url(url: str) -> str | None:
    return url if url.startswith(_URL_SCHEMES) else None


def _sizes(graph: nx.MultiDiGraph, by: str) -> dict[str, float]:
    """Node sizes from degree (default) or PageRank, between 8 and 40 pixels."""
    if graph.number_of_nodes() == 0:
        return {}
    if by == "pagerank":
        scores = nx.pagerank(nx.DiGraph(graph))
        top = max(scores.values()) or 1.0
        return {n: 8 + 32 * math.sqrt(s / top) for n, s in scores.items()}
    return {n: min(40.0, 8 + 4 * math.sqrt(d)) for n, d in graph.degree()}


def _shorten(label: str, width: int = 48) -> str:
    """A label cut to ``width`` characters for drawing; the page shows it whole elsewhere.

    >>> _shorten("Kyrgyzstan")
    'Kyrgyzstan'
    >>> _shorten("a" * 60, 10)
    'aaaaaaaaa…'
    """
    return label if len(label) <= width else label[: width - 1].rstrip() + "…"


def _folded(node: str, data: dict) -> bool:
    """Whether a node of a large view is folded into its neighbours' details: sources, and
    the points imported events are located at."""
    return data.get("kind") == "source" or node.startswith(POINTS)


def _fold_into(record: dict, data: dict, node: str, names: dict[str, str]) -> None:
    """Add a folded source or point to a drawn node's details: a source as a link (or a fact
    when it has no page), a point as its coordinates."""
    label = data.get("label") or compact(node)
    if node.startswith(POINTS):
        values = dict(data.get("facts", []))
        record["facts"].append(["location", ", ".join(str(v) for v in values.values()) or label])
        return
    urls = [url for _, url in data.get("links", []) if _safe_url(url)]
    if urls:
        record["links"].append([f"{names.get('source', 'source')}: {label}", urls[0]])
    else:
        record["facts"].append([names.get("source", "source"), label])


def view_data(graph: nx.MultiDiGraph, *, lang: str = "en", size_by: str = "degree") -> dict:
    """The JSON the page draws: nodes, edges, per-node details and the legend.

    A large view (more than LARGE_NODES nodes or LARGE_EDGES edges) folds its sources and
    points into the details of the nodes they belong to (and leaves out what linked only to
    them, a source's publisher), and carries positions from a force-directed layout
    (kg.layout), in which a conflict's phases, events and claims pull together; the page
    starts from them with physics off.
    """
    large = graph.number_of_nodes() > LARGE_NODES or graph.number_of_edges() > LARGE_EDGES
    names = KIND_NAMES.get(lang, KIND_NAMES["en"])
    fold = {node for node, data in graph.nodes(data=True) if large and _folded(node, data)}
    if fold:
        # what linked only to folded nodes (a source's publisher) goes with them
        fold |= {node for node in graph.nodes if node not in fold and graph.degree(node)
                 and all(other in fold for other in nx.all_neighbors(graph, node))}
    ids = {node: i for i, node in enumerate(n for n in graph.nodes if n not in fold)}
    sizes = _sizes(graph, size_by)
    nodes, details = [], []
    for node, data in graph.nodes(data=True):
        if node in fold:
            continue
        kind = data.get("kind", "other")
        full = data.get("label") or compact(node)
        nodes.append({"id": ids[node], "label": _shorten(full), "kind": kind, "size": round(sizes[node], 1)})
        details.append({
            "iri": node,
            "label": full,
            "kind": names.get(kind, kind),
            "names": sorted({f"{v} ({k})" if k else v for k, v in data.get("labels", {}).items()}),
            "facts": [[str(k), str(v)] for k, v in data.get("facts", [])],
            "links": [[text, url] for text, url in data.get("links", []) if _safe_url(url)],
        })
    edges, pairs, weights = [], [], []
    for source, target, key, data in graph.edges(keys=True, data=True):
        if source in fold or target in fold:
            if source not in fold and target in fold:
                _fold_into(details[ids[source]], graph.nodes[target], target, names)
            elif target not in fold and source in fold:
                _fold_into(details[ids[target]], graph.nodes[source], source, names)
            continue
        edge = {"from": ids[source], "to": ids[target], "label": data.get("label", "")}
        dates = data.get("dates")
        if dates:
            edge["note"] = " – ".join(v for v in (dates.get("startDate", "…"), dates.get("endDate", "")) if v)
        edges.append(edge)
        pairs.append((ids[source], ids[target]))
        weights.append(CONFLICT_WEIGHT if key in _CONFLICT_LINKS else 1.0)
    if large:
        positions = force_layout(len(nodes), pairs, weights, spacing=60.0)
        for record, (x, y) in zip(nodes, positions, strict=True):
            record["x"], record["y"] = round(x, 1), round(y, 1)
    counts = Counter(n["kind"] for n in nodes)
    legend = [{"kind": k, "name": names.get(k, k), "color": KIND_STYLES[k][0], "shape": KIND_STYLES[k][1],
               "count": counts[k]} for k in KINDS if counts[k]]
    return {"nodes": nodes, "edges": edges, "details": details, "legend": legend, "large": large,
            "folded": len(fold), "styles": {k: {"color": c, "shape": s} for k, (c, s) in KIND_STYLES.items()}}


def render(graph: nx.MultiDiGraph, *, title: str, lang: str = "en", size_by: str = "degree") -> str:
    """The whole page as a string."""
    import jinja2  # a dependency of pyvis as well; imported here to keep `kg` start-up fast
    from markupsafe import Markup  # what we mark safe is escaped above (script_json) or is vis-network

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kg", "templates"), autoescape=True,
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
    )
    script, style = vis_assets()
    data = view_data(graph, lang=lang, size_by=size_by)
    return env.get_template("view.html").render(
        title=title, lang=lang, vis_script=Markup(script), vis_style=Markup(style),
        data_json=Markup(script_json(data)),
        node_count=len(data["nodes"]), edge_count=len(data["edges"]), large=data["large"],
    )


def write_view(graph: nx.MultiDiGraph, output: Path, *, title: str, lang: str = "en",
               size_by: str = "degree") -> ViewInfo:
    """Write the view to ``output`` (UTF-8, atomically) and say what was written."""
    html = render(graph, title=title, lang=lang, size_by=size_by).encode("utf-8")
    write_atomically(output, html, label=f"--output {output}")
    large = graph.number_of_nodes() > LARGE_NODES or graph.number_of_edges() > LARGE_EDGES
    return ViewInfo(output, graph.number_of_nodes(), graph.number_of_edges(), large, len(html))
