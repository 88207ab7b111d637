"""spektral_tv: graph clustering and pooling layers (MinCutPool, GTVConv,
Asymmetric Cheeger cut pooling) for Spektral and TensorFlow with Keras 2.

Spektral 1.3.1 is written for Keras 2 (``tf_keras``). TensorFlow picks its
Keras the first time it is imported, from the ``TF_USE_LEGACY_KERAS``
environment variable, so this module sets the variable before anything imports
TensorFlow, and refuses to load if TensorFlow was already imported with Keras 3.
"""
import os
import sys

__version__ = "0.1.0"


def _ensure_legacy_keras():
    if "tensorflow" not in sys.modules:
        os.environ["TF_USE_LEGACY_KERAS"] = "1"
        return
    import tensorflow as tf

    keras_version = getattr(tf.keras, "__version__", "")
    if keras_version.startswith("3"):
        raise ImportError(
            "TensorFlow was imported with Keras 3 before spektral_tv: set "
            "os.environ['TF_USE_LEGACY_KERAS'] = '1' (or import spektral_tv) "
            "before the first `import tensorflow`, and restart the Python "
            "process (in Colab: Runtime > Restart session)."
        )


_ensure_legacy_keras()
