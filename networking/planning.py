"""1:1 meeting plans: S slots, T tables, everyone meets someone new in each slot.

Each slot is an exact maximum-weight matching with at most T pairs, solved as a small integer
program by SciPy's HiGHS (`scipy.optimize.milp`): variables are candidate pairs, constraints
are "one meeting per person per slot" and "no more pairs than tables". (networkx's pure-Python
blossom algorithm gave the same optimum at 1.4–2 s per slot for 500 people; HiGHS takes
0.05–0.15 s.) Pairs that both asked for each other weigh most, then strong suggestions. A pair
meets at most once; tables are numbered by weight, so the best meetings get table 1, 2, …
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.optimize import (
    Bounds,
    LinearConstraint,
    milp,
)
from scipy.sparse import csr_matrix

from networking.matching import Suggested

MUTUAL_BONUS = 2.0  # a mutual "I'd like to meet" outweighs any suggestion score (<= 1)


@dataclass(frozen=True, slots=True)
class Meeting:
    slot: int
    table: int
    a: str
    b: str
    weight: float
    mutual: bool


def edge_weights(
    suggestions: Mapping[str, list[tuple[str, float]]], mutual: set[frozenset[str]]
) -> dict[frozenset[str], float]:
    """One weight per unordered pair: the better of the two directions, plus the bonus."""
    weights: dict[frozenset[str], float] = {}
    for a, items in suggestions.items():
        for b, score in items:
            if a == b:
                continue
            pair = frozenset((a, b))
            weights[pair] = max(weights.get(pair, 0.0), score)
    for pair in mutual:
        if len(pair) == 2:
            weights[pair] = weights.get(pair, 0.0) + MUTUAL_BONUS
    return {p: w for p, w in weights.items() if w > 0}


def _slot_matching(
    pairs: list[tuple[str, str]], weights: np.ndarray, index: dict[str, int], tables: int
) -> list[int]:
    if not pairs:
        return []
    n_edges = len(pairs)
    rows = np.array([index[a] for a, _ in pairs] + [index[b] for _, b in pairs])
    cols = np.concatenate([np.arange(n_edges), np.arange(n_edges)])
    incidence = csr_matrix((np.ones(2 * n_edges), (rows, cols)), shape=(len(index), n_edges))
    constraints = [
        LinearConstraint(incidence, 0, 1),
        LinearConstraint(np.ones((1, n_edges)), 0, tables),
    ]
    result = milp(
        -weights,
        constraints=constraints,
        integrality=np.ones(n_edges),
        bounds=Bounds(0, 1),
        options={"time_limit": 20.0},
    )
    if result.x is None:  # no solution in time: fall back to the greedy one for this slot
        return greedy_slot(pairs, weights, tables)
    return [int(k) for k in np.flatnonzero(result.x > 0.5)]


def greedy_slot(pairs: list[tuple[str, str]], weights: np.ndarray, tables: int) -> list[int]:
    """The obvious baseline: heaviest pair first, if both are free and a table is left."""
    busy: set[str] = set()
    chosen: list[int] = []
    for k in np.argsort(-weights, kind="stable"):
        a, b = pairs[int(k)]
        if a in busy or b in busy:
            continue
        chosen.append(int(k))
        busy.update((a, b))
        if len(chosen) == tables:
            break
    return chosen


def plan(
    weights: Mapping[frozenset[str], float],
    mutual: set[frozenset[str]],
    slots: int,
    tables: int,
    *,
    greedy: bool = False,
) -> list[Meeting]:
    people = sorted({p for pair in weights for p in pair})
    index = {p: i for i, p in enumerate(people)}
    remaining = dict(weights)
    meetings: list[Meeting] = []
    for slot in range(1, slots + 1):
        pairs: list[tuple[str, str]] = [(min(p), max(p)) for p in remaining]
        w = np.array([remaining[frozenset(p)] for p in pairs], dtype=np.float64)
        chosen = (greedy_slot if greedy else lambda p, x, t: _slot_matching(p, x, index, t))(
            pairs, w, tables
        )
        chosen.sort(key=lambda k: -w[k])
        for table, k in enumerate(chosen, start=1):
            a, b = pairs[k]
            pair = frozenset((a, b))
            meetings.append(Meeting(slot, table, a, b, float(w[k]), pair in mutual))
            del remaining[pair]
    return meetings


def total(meetings: list[Meeting]) -> float:
    return sum(m.weight for m in meetings)


def plan_and_baseline(
    suggested: Suggested, mutual: set[frozenset[str]], slots: int, tables: int
) -> tuple[list[Meeting], float]:
    """The exact plan over the suggestions and mutual wishes, and the greedy baseline's total
    score (shown beside it): one job for a worker process (traffpunkt.cpu)."""
    weights = edge_weights(suggested.scored(), mutual)
    meetings = plan(weights, mutual, slots, tables)
    return meetings, total(plan(weights, mutual, slots, tables, greedy=True))
