"""Krippendorff's (2004) thresholds for reading an alpha."""

from __future__ import annotations

TENTATIVE = 0.667  #: below: do not draw conclusions from the data
RELIABLE = 0.8  #: at or above: reliable; between the two: tentative conclusions only


def band(value: float) -> str:
    """"unreliable", "tentative" or "reliable"."""
    return "unreliable" if value < TENTATIVE else "tentative" if value < RELIABLE else "reliable"
