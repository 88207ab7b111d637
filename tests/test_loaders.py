"""Spektral's loaders feed the layers in disjoint and batch mode with the same
results: same pooled outputs, same losses, same gradients."""

import numpy as np
import pytest
import tensorflow as tf
import tf_keras as keras
from spektral.data import BatchLoader, Dataset, DisjointLoader, Graph
from spektral.layers import GraphMasking

from conftest import random_graph
from spektral_tv.layers import AsymCheegerCutPool, GTVConv, MinCutPool

N_FEATURES = 4


class RandomGraphs(Dataset):
    def __init__(self, sizes, **kwargs):
        self.sizes = sizes
        super().__init__(**kwargs)

    def download(self):
        pass

    @property
    def path(self):
        return "."  # exists: nothing to download

    def read(self):
        graphs = []
        for seed, n in enumerate(self.sizes):
            x, a = random_graph(n, N_FEATURES, seed=seed, isolated=seed == 1)
            graphs.append(Graph(x=x, a=a, y=np.array([seed % 2], "float32")))
        return graphs


def build_models(pool):
    conv = GTVConv(6, delta_coeff=0.4, activation="elu")
    head = keras.layers.Dense(1)

    x_in = keras.Input((N_FEATURES,))
    a_in = keras.Input((None,), sparse=True)
    i_in = keras.Input((), dtype=tf.int64)
    h = conv([x_in, a_in])
    x_pool, _, i_pool = pool([h, a_in, i_in])
    out = head(tf.math.segment_sum(x_pool, i_pool))
    disjoint = keras.Model([x_in, a_in, i_in], out)

    xb_in = keras.Input((None, N_FEATURES + 1))
    ab_in = keras.Input((None, None))
    h = GraphMasking()(xb_in)
    h = conv([h, ab_in])
    x_pool, _ = pool([h, ab_in])
    out = head(tf.reduce_sum(x_pool, axis=1))
    batch = keras.Model([xb_in, ab_in], out)
    return disjoint, batch


@pytest.mark.parametrize(
    "make_pool",
    [lambda: MinCutPool(3, mlp_hidden=[5]), lambda: AsymCheegerCutPool(3)],
    ids=["mincut", "asym_cheeger_cut"],
)
def test_disjoint_and_batch_loaders_agree(make_pool):
    dataset = RandomGraphs([9, 13, 6, 11])
    disjoint, batch = build_models(make_pool())
    (xd, ad, idx), yd = next(iter(DisjointLoader(dataset, batch_size=4, shuffle=False, epochs=1)))
    (xb, ab), yb = next(
        iter(BatchLoader(dataset, batch_size=4, mask=True, shuffle=False, epochs=1))
    )
    assert ab.shape[1] == 13  # zero-padded to the largest graph
    results = []
    for model, inputs, y in ((disjoint, [xd, ad, idx], yd), (batch, [xb, ab], yb)):
        with tf.GradientTape() as tape:
            out = model(inputs, training=True)
            loss = tf.reduce_mean((out - y) ** 2) + tf.add_n(model.losses)
        grads = tape.gradient(loss, model.trainable_weights)
        results.append((out.numpy(), [float(v) for v in model.losses], [g.numpy() for g in grads]))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-4, atol=1e-6)
    for g_disjoint, g_batch in zip(results[0][2], results[1][2]):
        np.testing.assert_allclose(g_disjoint, g_batch, rtol=1e-3, atol=1e-5)


def test_fit_with_each_loader():
    dataset = RandomGraphs([9, 13, 6, 11, 7, 8])
    disjoint, batch = build_models(AsymCheegerCutPool(2))
    for model, loader in (
        (disjoint, DisjointLoader(dataset, batch_size=3, epochs=2)),
        (batch, BatchLoader(dataset, batch_size=3, mask=True, epochs=2)),
    ):
        model.compile(keras.optimizers.Adam(1e-3), loss="mse")
        history = model.fit(
            loader.load(), steps_per_epoch=loader.steps_per_epoch, epochs=2, verbose=0
        )
        assert {"loss", "tv_loss", "balance_loss"} <= set(history.history)
        assert np.all(np.isfinite(history.history["loss"]))
