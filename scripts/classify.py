#!/usr/bin/env python
"""Graph classification: `spektral-tv classify` (spektral_tv/experiments/classification.py)."""

import spektral_tv  # noqa: F401  (first: TF_USE_LEGACY_KERAS before TensorFlow)
from spektral_tv.experiments.classification import main

if __name__ == "__main__":
    main()
