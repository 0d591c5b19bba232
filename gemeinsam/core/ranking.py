"""Fair scores for ranking things by the share of people who approved of them."""

from __future__ import annotations

import math

Z_95 = 1.96
"""The standard normal quantile for a two-sided 95 % confidence interval."""


def wilson_lower_bound(positives: int, total: int, z: float = Z_95) -> float:
    """The lower bound of the Wilson score interval for ``positives`` out of ``total``.

    The share of approvals that one can be confident (at the level ``z`` stands for; 95 % by
    default) the item at least deserves, given how few votes it has. One approval out of one
    scores about 0.21 and twenty out of twenty-five about 0.61, so a little evidence never
    outranks a lot. Returns 0.0 when there is nothing to judge (``total`` of 0 or less).

    Preconditions: ``0 <= positives <= total``.
    """
    if total <= 0:
        return 0.0
    phat = positives / total
    z2 = z * z
    centre = phat + z2 / (2 * total)
    spread = z * math.sqrt((phat * (1 - phat) + z2 / (4 * total)) / total)
    return (centre - spread) / (1 + z2 / total)
