"""`import spektral_tv` selects Keras 2, or says how to fix a Keras 3 session."""
import os
import subprocess
import sys

import pytest


def _run(code):
    env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=300)


def test_import_first_selects_keras_2():
    result = _run(
        "import spektral_tv, os, tensorflow as tf, tf_keras\n"
        "assert os.environ['TF_USE_LEGACY_KERAS'] == '1'\n"
        "assert tf.keras.layers.Layer is tf_keras.layers.Layer\n"
        "from spektral_tv.layers import GTVConv\n"
        "print('ok')"
    )
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout


def test_tensorflow_with_keras_3_first_raises_a_clear_import_error():
    keras = pytest.importorskip("keras")
    if not keras.__version__.startswith("3"):
        pytest.skip("Keras 3 is not installed")
    result = _run(
        "import tensorflow as tf\n"
        "tf.keras.layers\n"
        "try:\n"
        "    import spektral_tv\n"
        "except ImportError as error:\n"
        "    print('ImportError:', error)\n"
    )
    assert result.returncode == 0, result.stderr
    assert "ImportError:" in result.stdout
    assert "TF_USE_LEGACY_KERAS" in result.stdout
