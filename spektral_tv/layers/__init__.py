"""Keras layers: GTVConv, MinCutPool and AsymCheegerCutPool."""
import spektral_tv  # noqa: F401  (sets TF_USE_LEGACY_KERAS before TensorFlow loads)
from spektral_tv.layers.asym_cheeger_cut_pool import AsymCheegerCutPool
from spektral_tv.layers.gtv_conv import GTVConv
from spektral_tv.layers.mincut_pool import MinCutPool

__all__ = ["GTVConv", "MinCutPool", "AsymCheegerCutPool"]
