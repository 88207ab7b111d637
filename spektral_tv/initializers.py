"""Keras initializers."""

import spektral_tv  # noqa: F401  (TF_USE_LEGACY_KERAS before TensorFlow)
import tf_keras as keras


@keras.saving.register_keras_serializable(package="spektral_tv")
class FreshDraws(keras.initializers.Initializer):
    """Draws every weight it initializes from a new copy of `initializer`.

    Keras >= 2.13 makes an unseeded initializer *instance* return the same
    values on every call, so a layer that builds several kernels from one
    instance (Spektral's `GCSConv` builds `kernel_1` and `kernel_2` from its
    `kernel_initializer`) starts with identical kernels. Wrapping the
    initializer gives each kernel its own draw; `keras.utils.set_random_seed`
    still makes the draws repeatable.

    **Arguments**

    - `initializer`: a Keras initializer, its name or its config (default
      `"he_normal"`).
    """

    def __init__(self, initializer="he_normal"):
        self.initializer = keras.initializers.serialize(keras.initializers.get(initializer))

    def __call__(self, shape, dtype=None, **kwargs):
        fresh = keras.initializers.deserialize(self.initializer)
        return fresh(shape, dtype=dtype, **kwargs)

    def get_config(self):
        return {"initializer": self.initializer}
