#!/usr/bin/env python
"""Image segmentation: `spektral-tv segment` (spektral_tv/experiments/segmentation.py)."""

import spektral_tv  # noqa: F401  (first: TF_USE_LEGACY_KERAS before TensorFlow)
from spektral_tv.experiments.segmentation import main

if __name__ == "__main__":
    main()
