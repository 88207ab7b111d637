#!/usr/bin/env python
"""Graph autoencoder: `spektral-tv autoencode` (spektral_tv/experiments/autoencoder.py)."""

import spektral_tv  # noqa: F401  (first: TF_USE_LEGACY_KERAS before TensorFlow)
from spektral_tv.experiments.autoencoder import main

if __name__ == "__main__":
    main()
