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
    """Positions of ``count`` nodes (numbered from 0) joined by ``edges``, scaled to cover the
    area a spiral of the same nodes would, ``spacing`` apart; deterministic for a given seed."""
    if count == 0:
        return []
    import igraph  # imported here: only large views need it, and `kg` starts faster without it

    start = spiral(count, 1.0)
    graph = igraph.Graph(n=count, edges=list(edges))
    igraph.set_random_number_generator(random.Random(seed))
    try:
        coords = graph.layout_fruchterman_reingold(weights=list(weights) if weights is not None else None,
                                                   niter=ITERATIONS, seed=start, grid=True).coords
    finally:
        igraph.set_random_number_generator(random)  # igraph's default: the random module
    cx = sum(x for x, _ in coords) / count
    cy = sum(y for _, y in coords) / count
    reach = max(math.hypot(x - cx, y - cy) for x, y in coords) or 1.0
    scale = spacing * math.sqrt(count) / reach
    return [((x - cx) * scale, (y - cy) * scale) for x, y in coords]


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
