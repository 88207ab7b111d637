#!/usr/bin/env python
"""Node clustering: `spektral-tv cluster` (spektral_tv/experiments/clustering.py)."""

import spektral_tv  # noqa: F401  (first: TF_USE_LEGACY_KERAS before TensorFlow)
from spektral_tv.experiments.clustering import main

if __name__ == "__main__":
    main()
