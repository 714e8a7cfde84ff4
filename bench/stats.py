"""Statistics the benchmark scripts share (bench/run.py, bench/relevance.py)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else math.nan


def p90(values: Sequence[float]) -> float:
    """Nearest-rank 90th percentile."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return float(ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)])
