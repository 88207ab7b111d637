"""The Functional builders of spektral_tv.models."""

import numpy as np
import pytest
import tf_keras as keras

from spektral_tv.initializers import FreshDraws
from spektral_tv.models import mincut_clustering_model, tvgnn_clustering_model


def kernels(model):
    return [w.numpy() for w in model.weights if "kernel" in w.name]


def test_gcsconv_kernels_start_different():
    # Spektral's GCSConv builds kernel_1 and kernel_2 from one initializer
    # instance; with a plain "he_normal" they would start identical.
    keras.utils.set_random_seed(0)
    model = mincut_clustering_model(8, 3)
    k1, k2 = kernels(model)[:2]
    assert k1.shape == k2.shape == (8, 16)
    assert not np.allclose(k1, k2)


def test_builders_repeatable_with_seed():
    def weights(seed):
        keras.utils.set_random_seed(seed)
        return kernels(tvgnn_clustering_model(6, 3, mp_channels=8))

    first, again, other = weights(0), weights(0), weights(1)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not np.allclose(first[0], other[0])


def test_fresh_draws_roundtrip_and_scale():
    init = FreshDraws("he_normal")
    clone = FreshDraws.from_config(init.get_config())
    draws = [clone((400, 50)).numpy() for _ in range(2)]
    assert not np.allclose(draws[0], draws[1])
    # He-normal: standard deviation sqrt(2 / fan_in) (truncated normal).
    assert abs(draws[0].std() - np.sqrt(2 / 400)) < 0.1 * np.sqrt(2 / 400)


def test_unknown_hyper_parameter_is_named():
    with pytest.raises(ValueError, match="mp_chanels"):
        tvgnn_clustering_model(6, 3, mp_chanels=8)
