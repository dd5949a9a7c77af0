"""Positions for views too large for the browser to lay out live.

A force-directed layout computed before the page is written: igraph's Fruchterman-Reingold
with its grid approximation (C code; a 5,000-node, 15,000-edge view in a fraction of a
second, bench/views.py), started from a sunflower spiral and seeded, so the same view gives
the same page. Edges can weigh more than others: a heavier edge pulls its ends closer, which
is how the events, claims and phases of one conflict end up together.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

#: Iterations of the layout; the mean edge length stops falling well before 200 (bench/views.py).
ITERATIONS = 200


def spiral(count: int, spacing: float = 30.0) -> list[tuple[float, float]]:
    """Positions on a sunflower spiral, ``spacing`` apart: a layout in linear time.

    >>> spiral(1), len(spiral(5000))
    ([(0.0, 0.0)], 5000)
    """
    golden = math.pi * (3 - math.sqrt(5))
    return [(spacing * math.sqrt(i) * math.cos(i * golden), spacing * math.sqrt(i) * math.sin(i * golden))
            for i in range(count)]


def force_layout(count: int, edges: Sequence[tuple[int, int]], weights: Sequence[float] | None = None, *,
                 spacing: float = 30.0, seed: int = 7) -> list[tuple[float, float]]:
    """Positions of ``count`` nodes (numbered from 0) joined by ``edges``, about ``spacing``
    apart; deterministic for a given seed.

    Each connected part is laid out on its own, in a disc whose area grows with its number
    of nodes, and the discs are packed in rows, largest first: a force-directed layout of the
    whole would push the small parts to a far ring and squeeze the large one into the middle.
    """
    if count == 0:
        return []
    import igraph  # imported here: only large views need it, and `kg` starts faster without it

    graph = igraph.Graph(n=count, edges=list(edges))
    graph.es["weight"] = list(weights) if weights is not None else [1.0] * len(edges)
    parts = sorted((sorted(part) for part in graph.connected_components(mode="weak")),
                   key=lambda part: (-len(part), part[0]))
    igraph.set_random_number_generator(random.Random(seed))
    try:
        discs = [_disc(graph, part, spacing) for part in parts]
    finally:
        igraph.set_random_number_generator(random)  # igraph's default: the random module
    positions: list[tuple[float, float]] = [(0.0, 0.0)] * count
    width = max(2 * discs[0][1], spacing * math.sqrt(count) * 1.2)
    x = y = row_height = 0.0
    for part, (coords, radius) in zip(parts, discs, strict=True):
        if x > 0 and x + 2 * radius > width:  # a new row
            x, y, row_height = 0.0, y + row_height + spacing, 0.0
        for node, (px, py) in zip(part, coords, strict=True):
            positions[node] = (x + radius + px, y + radius + py)
        x += 2 * radius + spacing
        row_height = max(row_height, 2 * radius)
    cx = sum(px for px, _ in positions) / count
    cy = sum(py for _, py in positions) / count
    return [(px - cx, py - cy) for px, py in positions]


def _disc(graph, part: list[int], spacing: float) -> tuple[list[tuple[float, float]], float]:
    """One connected part laid out around (0, 0), and the radius of the disc it fills."""
    radius = spacing * math.sqrt(len(part)) / 2
    if len(part) == 1:
        return [(0.0, 0.0)], spacing / 2
    sub = graph.induced_subgraph(part)
    start = spiral(len(part), 1.0)
    coords = sub.layout_fruchterman_reingold(weights="weight", niter=ITERATIONS, seed=start,
                                             grid=len(part) > 1000).coords
    cx = sum(x for x, _ in coords) / len(coords)
    cy = sum(y for _, y in coords) / len(coords)
    # the disc holds nineteen nodes in twenty; a far straggler is not let shrink the rest
    distances = sorted(math.hypot(x - cx, y - cy) for x, y in coords)
    reach = distances[min(len(distances) - 1, int(len(distances) * 0.95))] or 1.0
    scale = radius / reach
    return [((x - cx) * scale, (y - cy) * scale) for x, y in coords], radius


def edge_length_ratio(positions: Sequence[tuple[float, float]], edges: Sequence[tuple[int, int]],
                      pairs: int = 20000, seed: int = 1) -> float:
    """The mean length of the drawn edges over the mean distance between random pairs of
    nodes: near 1 when the layout ignores the edges (a spiral), small when linked nodes sit
    together.

    >>> edge_length_ratio([(0, 0), (1, 0), (10, 0), (11, 0)], [(0, 1), (2, 3)]) < 0.3
    True
    """
    if not edges or len(positions) < 2:
        return 0.0
    rng = random.Random(seed)

    def distance(a: int, b: int) -> float:
        return math.hypot(positions[a][0] - positions[b][0], positions[a][1] - positions[b][1])

    drawn = sum(distance(a, b) for a, b in edges) / len(edges)
    n = len(positions)
    sample = [(rng.randrange(n), rng.randrange(n)) for _ in range(pairs)]
    apart = sum(distance(a, b) for a, b in sample) / len(sample)
    return drawn / apart if apart else 0.0
