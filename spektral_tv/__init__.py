"""spektral_tv: graph clustering and pooling layers (MinCutPool, GTVConv,
Asymmetric Cheeger cut pooling) for Spektral and TensorFlow with Keras 2.

Spektral 1.3.1 is written for Keras 2 (the ``tf_keras`` package), so importing
this package makes TensorFlow's Keras ``tf_keras``. TensorFlow 2.16+ decides
which Keras ``tf.keras`` means in two places (measured on TensorFlow 2.21):

- at ``import tensorflow`` (``tensorflow/__init__.py``, "Lazy-load Keras
  v2/3"), ``TF_USE_LEGACY_KERAS`` chooses the folders put first on the
  ``__path__`` of ``tensorflow`` and of its ``compat`` modules, which is what
  ``from tensorflow.keras import ...`` (Spektral's way) finds; without the
  variable TensorFlow also imports Keras 3 itself (``keras.src.optimizers``);
- at the first attribute access of ``tf.keras`` (and ``tf.losses``,
  ``tf.metrics``, ``tf.optimizers``, ``tf.initializers``), a
  ``KerasLazyLoader`` (``tensorflow/python/util/lazy_loader.py``,
  ``_initialize``) reads ``TF_USE_LEGACY_KERAS`` again and binds itself for
  good.

So the import order is free as long as ``tf.keras`` was not bound to another
Keras yet: this module sets ``TF_USE_LEGACY_KERAS=1`` and, if TensorFlow is
already imported, points those ``__path__`` entries at ``tf_keras`` as the
variable would have. Only when TensorFlow's Keras names are already bound to
Keras 3 (``tf.keras`` touched, ``from tensorflow.keras import ...`` run) does
it raise an ImportError that says how to fix it. A plain ``import keras`` is
not detectable (TensorFlow imports Keras 3 itself) and does not stop
spektral_tv: its layers are ``tf_keras`` layers, to be mixed with ``tf_keras``
(or ``tf.keras``) code only.

Subpackages load on first use (``spektral_tv.layers`` after
``import spektral_tv``), so the package import pulls in nothing else.
"""

import importlib
import importlib.util
import os
import sys

__version__ = "0.1.0"

_KERAS_NAMES = ("keras", "losses", "metrics", "optimizers", "initializers", "layers")
_SUBMODULES = (
    "datasets",
    "experiments",
    "initializers",
    "layers",
    "metrics",
    "models",
    "ops",
    "plotting",
    "training",
)


def _package_dir(name):
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.normpath(next(iter(spec.submodule_search_locations)))


def _is_under(module, directory):
    path = getattr(module, "__file__", None) or ""
    return bool(directory) and os.path.normpath(path).startswith(directory + os.sep)


def _tensorflow_api_modules():
    return [
        module
        for name, module in list(sys.modules.items())
        if module is not None and (name == "tensorflow" or name.startswith("tensorflow._api."))
    ]


def _keras_3_binding(tf_keras_dir):
    """Where TensorFlow's Keras names are already bound to a Keras other than
    tf_keras (a short description), or None while they are still free."""
    for module in _tensorflow_api_modules():
        for attr in _KERAS_NAMES:
            value = vars(module).get(attr)
            if type(value).__name__ == "KerasLazyLoader":
                state = vars(value)  # never getattr: that would resolve it
                if (
                    state.get("_tfll_initialized")
                    and state.get("_tfll_keras_version") != "tf_keras"
                ):
                    return f"{module.__name__}.{attr} resolved to Keras 3"
            elif type(value).__name__ == "module" and value.__name__.split(".")[0] == "keras":
                return f"{module.__name__}.{attr} is {value.__name__}"
    for name, module in list(sys.modules.items()):
        if (
            (name == "tensorflow.keras" or name.startswith("tensorflow.keras."))
            and module is not None
            and not _is_under(module, tf_keras_dir)
        ):
            return f"{name} was imported from {getattr(module, '__file__', '?')}"
    return None


def _route_tensorflow_to_tf_keras(keras_dir, tf_keras_dir):
    """Does what TF_USE_LEGACY_KERAS=1 does at `import tensorflow`: the
    `keras/api/_vN` folders first on the API modules' __path__ become
    `tf_keras/api/_vN`."""
    if not keras_dir or not tf_keras_dir:
        return
    keras_api = os.path.join(keras_dir, "api") + os.sep
    tf_keras_api = os.path.join(tf_keras_dir, "api") + os.sep
    for module in _tensorflow_api_modules():
        path = getattr(module, "__path__", None)
        if not isinstance(path, list):
            continue
        routed = [
            tf_keras_api + os.path.normpath(entry)[len(keras_api) :]
            if os.path.normpath(entry).startswith(keras_api)
            else entry
            for entry in path
        ]
        if routed != path:
            module.__path__ = routed


def _select_legacy_keras():
    if "tensorflow" not in sys.modules:
        os.environ["TF_USE_LEGACY_KERAS"] = "1"  # read by `import tensorflow`
        return
    tf_keras_dir = _package_dir("tf_keras")
    binding = _keras_3_binding(tf_keras_dir)
    if binding is not None:
        raise ImportError(
            "spektral_tv needs Keras 2 (tf_keras), but TensorFlow's Keras is "
            f"already Keras 3 in this process ({binding}). Import spektral_tv "
            "(or set os.environ['TF_USE_LEGACY_KERAS'] = '1') before the first "
            "use of tf.keras or `from tensorflow.keras import ...`, and restart "
            "the Python process (in Colab: Runtime > Restart session)."
        )
    os.environ["TF_USE_LEGACY_KERAS"] = "1"  # read by tf.keras at its first use
    _route_tensorflow_to_tf_keras(_package_dir("keras"), tf_keras_dir)


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES))


_select_legacy_keras()
