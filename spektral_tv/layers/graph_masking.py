"""Spektral's `GraphMasking`, registered as a Keras serializable.

The batch-mode recipe (`spektral.layers.GraphMasking` before the layers) must
survive `model.save` / `tf_keras.models.load_model` without `custom_objects`,
but Spektral does not register the layer. Importing `spektral_tv.layers`
registers Spektral's own class (so models built with
`spektral.layers.GraphMasking` save and load too); `spektral_tv.layers`
exports the same class.
"""
import tf_keras as keras
from spektral.layers import GraphMasking

if keras.saving.get_registered_name(GraphMasking) == GraphMasking.__name__:
    keras.saving.register_keras_serializable(package="spektral")(GraphMasking)

__all__ = ["GraphMasking"]
