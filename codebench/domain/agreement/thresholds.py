"""Krippendorff's (2004) thresholds for reading an alpha."""

from __future__ import annotations

TENTATIVE = 0.667  #: below: do not draw conclusions from the data
RELIABLE = 0.8  #: at or above: reliable; between the two: tentative conclusions only

