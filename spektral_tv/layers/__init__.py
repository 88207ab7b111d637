"""Keras layers: GTVConv, MinCutPool and AsymCheegerCutPool; unpooling layers;
Spektral's GraphMasking (registered as a Keras serializable)."""

import spektral_tv  # noqa: F401  (sets TF_USE_LEGACY_KERAS before TensorFlow loads)
from spektral_tv.layers.asym_cheeger_cut_pool import AsymCheegerCutPool
from spektral_tv.layers.graph_masking import GraphMasking
from spektral_tv.layers.gtv_conv import GTVConv
from spektral_tv.layers.mincut_pool import MinCutPool
from spektral_tv.layers.unpool import AssignmentUnpool, TopKUnpool

__all__ = [
    "GTVConv",
    "MinCutPool",
    "AsymCheegerCutPool",
    "AssignmentUnpool",
    "TopKUnpool",
    "GraphMasking",
]
