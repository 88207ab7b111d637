#!/usr/bin/env python
"""The TVGNN paper's synthetic figures: `spektral-tv figures`
(spektral_tv/experiments/figures.py)."""

import spektral_tv  # noqa: F401  (first: TF_USE_LEGACY_KERAS before TensorFlow)
from spektral_tv.experiments.figures import main

if __name__ == "__main__":
    main()
