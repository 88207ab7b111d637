"""Spektral's layers that the package's models use, registered as Keras
serializables; `GraphMasking` is exported.

The batch-mode recipe (`spektral.layers.GraphMasking` before the layers) and
the papers' models (GCSConv, DiffPool, DMoNPool, TopKPool, SAGPool,
GlobalAvgPool) must survive `model.save` / `tf_keras.models.load_model`
without `custom_objects`, but Spektral does not register its layers.
Importing `spektral_tv.layers` registers Spektral's own classes (so models
built with `spektral.layers` save and load too).
"""

import tf_keras as keras
from spektral import layers as spektral_layers

#: Spektral layers registered on import (under the package name "spektral").
REGISTERED = (
    "GraphMasking",
    "GCSConv",
    "DiffPool",
    "DMoNPool",
    "TopKPool",
    "SAGPool",
    "GlobalAvgPool",
    "GlobalSumPool",
    "GlobalMaxPool",
)

for _name in REGISTERED:
    _layer = getattr(spektral_layers, _name)
    if keras.saving.get_registered_name(_layer) == _layer.__name__:
        keras.saving.register_keras_serializable(package="spektral")(_layer)

GraphMasking = spektral_layers.GraphMasking

__all__ = ["GraphMasking"]
