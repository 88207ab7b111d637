#!/usr/bin/env python
"""Benchmark spektral_tv against Spektral 1.3.1: see spektral_tv.experiments.benchmark."""

import sys

import spektral_tv  # noqa: F401  (Keras 2 for TensorFlow, before it is imported)
from spektral_tv.experiments.benchmark import main

if __name__ == "__main__":
    sys.exit(main())
