"""The layers in Keras Functional models trained with model.fit."""

import numpy as np
import pytest
import tensorflow as tf
import tf_keras as keras
from sklearn.metrics import normalized_mutual_info_score

from conftest import sparse
from spektral_tv.layers import AsymCheegerCutPool, GTVConv, MinCutPool


def sbm(sizes=(40, 40, 40), p_in=0.25, p_out=0.02, seed=0):
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(len(sizes)), sizes)
    n = len(labels)
    p = np.where(labels[:, None] == labels[None], p_in, p_out)
    a = np.triu((rng.random((n, n)) < p).astype("float32"), 1)
    return a + a.T, labels


def single_graph_dataset(x, a):
    return tf.data.Dataset.from_tensors(((x, sparse(a)),)).repeat()


def clustering_model(pool, n_features, n_nodes, delta=0.3, sparse_features=False, epsilon=1e-3):
    x_in = keras.Input((n_features,), sparse=sparse_features)
    a_in = keras.Input((n_nodes,), sparse=True)
    h = GTVConv(16, delta_coeff=delta, epsilon=epsilon, activation="elu")([x_in, a_in])
    h = GTVConv(16, delta_coeff=delta, epsilon=epsilon, activation="elu")([h, a_in])
    _, _, s = pool([h, a_in])
    return keras.Model([x_in, a_in], s)


@pytest.mark.parametrize(
    "make_pool, feature_scale",
    [
        (lambda: MinCutPool(3, mlp_hidden=[16], return_selection=True), 1.0),
        # GTVConv's step has a fixed length: the one-hot features are scaled
        # so that it smooths them (as in the README's Quickstart).
        (lambda: AsymCheegerCutPool(3, return_selection=True), 0.5),
    ],
    ids=["mincut", "asym_cheeger_cut"],
)
def test_fit_on_sbm_finds_the_communities(make_pool, feature_scale):
    keras.utils.set_random_seed(0)
    a, labels = sbm(seed=0)
    x = feature_scale * np.eye(len(labels), dtype="float32")  # featureless: identity
    model = clustering_model(make_pool(), x.shape[1], len(labels))
    model.compile(keras.optimizers.Adam(5e-3))
    history = model.fit(single_graph_dataset(x, a), steps_per_epoch=1, epochs=300, verbose=0)
    predicted = model([x, sparse(a)]).numpy().argmax(axis=1)
    nmi = normalized_mutual_info_score(labels, predicted)
    assert nmi >= 0.9, f"NMI {nmi:.3f}"
    losses = history.history["loss"]
    assert losses[-1] < losses[0]


def test_auxiliary_losses_are_named_in_history():
    a, _ = sbm(sizes=(10, 10), seed=1)
    x = np.eye(20, dtype="float32")
    model = clustering_model(MinCutPool(2, return_selection=True), 20, 20)
    model.compile(keras.optimizers.Adam(1e-3))
    history = model.fit(single_graph_dataset(x, a), steps_per_epoch=2, epochs=2, verbose=0)
    assert {"loss", "cut_loss", "ortho_loss"} <= set(history.history)
    # The logged terms are the ones the model minimizes.
    np.testing.assert_allclose(
        history.history["loss"][-1],
        history.history["cut_loss"][-1] + history.history["ortho_loss"][-1],
        rtol=1e-4,
        atol=1e-5,
    )


def test_two_pools_log_their_losses_under_prefixed_names():
    a, _ = sbm(sizes=(10, 10), seed=1)
    x = np.eye(20, dtype="float32")
    x_in = keras.Input((20,))
    a_in = keras.Input((20,), sparse=True)
    h = GTVConv(8, activation="elu")([x_in, a_in])
    x1, a1 = AsymCheegerCutPool(6, totvar_coeff=0.5, loss_prefix="pool1", name="pool1")([h, a_in])
    h = GTVConv(8, activation="elu")([x1, a1])
    x2, a2 = AsymCheegerCutPool(2, loss_prefix="pool2", name="pool2")([h, a1])
    model = keras.Model([x_in, a_in], x2)
    model.compile(keras.optimizers.Adam(1e-3))
    history = model.fit(single_graph_dataset(x, a), steps_per_epoch=1, epochs=2, verbose=0)
    names = set(history.history)
    assert {"pool1_tv_loss", "pool1_balance_loss", "pool2_tv_loss", "pool2_balance_loss"} <= names
    assert "tv_loss" not in names
    logs = history.history
    total = (
        0.5 * logs["pool1_tv_loss"][-1]
        + logs["pool1_balance_loss"][-1]
        + logs["pool2_tv_loss"][-1]
        + logs["pool2_balance_loss"][-1]
    )
    np.testing.assert_allclose(logs["loss"][-1], total, rtol=1e-4, atol=1e-5)


LAYER_CONFIGS = [
    (
        GTVConv,
        dict(
            channels=7,
            delta_coeff=0.311,
            epsilon=2e-3,
            degree_normalized=True,
            activation="elu",
            use_bias=False,
            kernel_initializer="glorot_uniform",
            kernel_regularizer=keras.regularizers.l2(1e-4),
        ),
    ),
    (
        MinCutPool,
        dict(
            k=4,
            mlp_hidden=[8, 6],
            mlp_activation="tanh",
            temperature=0.7,
            return_selection=True,
            kernel_initializer="he_normal",
        ),
    ),
    (
        AsymCheegerCutPool,
        dict(
            k=5,
            mlp_hidden=[9],
            mlp_activation="relu",
            totvar_coeff=0.785,
            balance_coeff=0.514,
            rho=2.0,
            temperature=0.5,
            return_selection=False,
            bias_regularizer="l2",
        ),
    ),
]


@pytest.mark.parametrize("cls, kwargs", LAYER_CONFIGS, ids=lambda v: getattr(v, "__name__", ""))
def test_get_config_is_complete(cls, kwargs):
    layer = cls(**kwargs)
    config = layer.get_config()
    for key, value in kwargs.items():
        assert key in config, key
        if isinstance(value, (int, float, bool, list)):
            assert config[key] == value, key
    clone = cls.from_config(config)
    assert clone.get_config() == config


def test_save_and_load_without_custom_objects(tmp_path):
    a, _ = sbm(sizes=(8, 9), seed=2)
    n = len(a)
    x = np.random.default_rng(0).normal(size=(n, 5)).astype("float32")
    x_in = keras.Input((5,))
    a_in = keras.Input((n,), sparse=True)
    h = GTVConv(6, degree_normalized=True, activation="elu")([x_in, a_in])
    x1, a1, s1 = MinCutPool(4, mlp_hidden=[5], temperature=0.5, return_selection=True)([h, a_in])
    h = GTVConv(6, delta_coeff=0.2)([x1, a1])
    x2, a2 = AsymCheegerCutPool(2, rho=0.5)([h, a1])
    model = keras.Model([x_in, a_in], [x2, a2, s1])
    model.compile(keras.optimizers.Adam(1e-3))
    model.fit(single_graph_dataset(x, a), steps_per_epoch=2, epochs=1, verbose=0)
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    for expected, got in zip(model([x, sparse(a)]), loaded([x, sparse(a)])):
        np.testing.assert_array_equal(expected.numpy(), got.numpy())
    np.testing.assert_allclose(
        [float(v) for v in model.losses], [float(v) for v in loaded.losses], rtol=1e-6
    )


@pytest.mark.parametrize("sparse_features", [False, True])
def test_jit_compiled_training_matches_graph_training(sparse_features):
    """XLA (gather/segment-sum paths) and plain graph mode (CSR paths) train
    the same way."""
    a, _ = sbm(sizes=(15, 15), seed=3)
    x = np.random.default_rng(1).normal(size=(30, 6)).astype("float32")
    x[np.abs(x) < 0.7] = 0.0
    features = sparse(x) if sparse_features else x
    histories = []
    for jit in (False, True):
        keras.utils.set_random_seed(0)
        model = clustering_model(
            AsymCheegerCutPool(2, mlp_hidden=[8], return_selection=True),
            6,
            30,
            sparse_features=sparse_features,
            # ε = 0.1: at 1e-3 GTVConv's gradient is ill-conditioned where
            # features nearly coincide, and round-off of the two op orders
            # grows over the steps (docs/distributed.md).
            epsilon=0.1,
        )
        model.compile(keras.optimizers.Adam(1e-2), jit_compile=jit)
        data = tf.data.Dataset.from_tensors(((features, sparse(a)),)).repeat()
        history = model.fit(data, steps_per_epoch=5, epochs=2, verbose=0)
        histories.append(history.history)
    for key in ("loss", "tv_loss", "balance_loss"):
        np.testing.assert_allclose(histories[0][key], histories[1][key], rtol=1e-3, atol=1e-4)
    assert histories[0]["loss"][-1] < histories[0]["loss"][0]
