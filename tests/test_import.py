"""`import spektral_tv` selects Keras 2 (tf_keras) in either import order, refuses
only when TensorFlow's Keras is already bound to Keras 3, and pulls in no
experiment-only package. Each case runs in a fresh interpreter."""

import json
import os
import subprocess
import sys

import pytest

# Packages only the experiments, figures and datasets need (the `experiments` extra).
EXPERIMENT_ONLY = (
    "matplotlib",
    "skimage",
    "tensorflow_datasets",
    "sklearn",
    "tqdm",
    "networkx",
    "PIL",
)

# A layer that runs under tf_keras: forward pass, auxiliary losses, one gradient step.
RUN_A_LAYER = """
import numpy as np
import tensorflow as tf
import tf_keras
from spektral_tv.layers import GTVConv, MinCutPool
assert tf.keras.layers.Layer is tf_keras.layers.Layer
from tensorflow.keras.layers import Layer  # Spektral's way of importing Keras
assert Layer is tf_keras.layers.Layer
x_in = tf_keras.Input((4,))
a_in = tf_keras.Input((None,), sparse=True)
h = GTVConv(8)([x_in, a_in])
x_pool, a_pool = MinCutPool(2)([h, a_in])
model = tf_keras.Model([x_in, a_in], x_pool)
x = np.random.default_rng(0).random((6, 4)).astype("float32")
a = tf.sparse.from_dense(np.ones((6, 6), "float32") - np.eye(6, dtype="float32"))
with tf.GradientTape() as tape:
    out = model([x, a])
    loss = tf.add_n(model.losses)
grads = tape.gradient(loss, model.trainable_weights)
assert out.shape == (2, 8) and all(g is not None for g in grads)
print("ok")
"""


def _run(code):
    env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def _top_level_modules(code):
    result = _run(
        code + "\nimport json, sys\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def _keras_3_installed():
    keras = pytest.importorskip("keras")
    if not keras.__version__.startswith("3"):
        pytest.skip("Keras 3 is not installed")


def test_version_is_a_literal_that_setuptools_reads_without_tensorflow():
    import ast
    import pathlib

    import spektral_tv

    source = pathlib.Path(spektral_tv.__file__).read_text()
    literals = [
        node.value.value
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign)
        and [t.id for t in node.targets if isinstance(t, ast.Name)] == ["__version__"]
        and isinstance(node.value, ast.Constant)
    ]
    assert literals == [spektral_tv.__version__]


def test_import_first_selects_keras_2():
    result = _run(
        "import spektral_tv, os\nassert os.environ['TF_USE_LEGACY_KERAS'] == '1'\n" + RUN_A_LAYER
    )
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout


def test_tensorflow_first_then_spektral_tv_runs_a_layer_under_tf_keras():
    result = _run("import tensorflow as tf\nimport spektral_tv\n" + RUN_A_LAYER)
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout


def test_plain_import_keras_first_does_not_stop_spektral_tv():
    # TensorFlow itself imports Keras 3 at `import tensorflow` when TF_USE_LEGACY_KERAS
    # is unset, so a user's `import keras` leaves the same state: tf.keras unbound.
    _keras_3_installed()
    result = _run("import keras\nimport spektral_tv\n" + RUN_A_LAYER)
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout


@pytest.mark.parametrize(
    "bind_keras_3",
    [
        "import tensorflow as tf\ntf.keras.layers",
        "import tensorflow as tf\ntf.losses.MeanSquaredError",
        "from tensorflow.keras import layers",
        "import keras\nimport tensorflow as tf\ntf.keras.Model",
    ],
)
def test_keras_3_bound_to_tensorflow_first_raises_a_clear_import_error(bind_keras_3):
    _keras_3_installed()
    result = _run(
        bind_keras_3 + "\n"
        "try:\n"
        "    import spektral_tv\n"
        "except ImportError as error:\n"
        "    print('ImportError:', error)\n"
    )
    assert result.returncode == 0, result.stderr
    assert "ImportError:" in result.stdout
    assert "TF_USE_LEGACY_KERAS" in result.stdout
    assert "restart" in result.stdout


def test_package_import_loads_nothing_but_the_package():
    modules = _top_level_modules("import spektral_tv")
    assert not {"tensorflow", "spektral", "tf_keras", "keras"} & modules


def test_core_import_pulls_in_no_experiment_only_module():
    spektral_alone = _top_level_modules(
        "import os\nos.environ['TF_USE_LEGACY_KERAS'] = '1'\nimport spektral, spektral.layers"
    )
    core = _top_level_modules("import spektral_tv, spektral_tv.layers, spektral_tv.ops")
    added = (core - spektral_alone) & set(EXPERIMENT_ONLY)
    assert not added, f"the core import pulls in {sorted(added)}"
    assert "keras" not in core  # Keras 3 stays unloaded
