"""The edge ops that keep a training step O(E) in memory and time: blocked
per-edge reductions with hand-written gradients, and the radix order
statistic that replaces a full sort in the asymmetric-norm loss."""

import functools
import numpy as np
import pytest
import tensorflow as tf

from conftest import random_graph
from spektral_tv.ops import graph as graph_ops
from spektral_tv.ops.losses import descending_order_statistic


@pytest.fixture(params=["one-block", "many-blocks"])
def block_values(request, monkeypatch):
    """Per-edge work in one column block, or one column at a time."""
    if request.param == "many-blocks":
        monkeypatch.setattr(graph_ops, "EDGE_BLOCK_VALUES", 1)
    return request.param


def _edges(n=25, seed=3, shuffle=True):
    _, a = random_graph(n, seed=seed, weighted=True, self_loop=True)
    src, dst = np.nonzero(a)
    if shuffle:  # any order is accepted; the ops sort by source themselves
        order = np.random.default_rng(seed).permutation(len(src))
        src, dst = src[order], dst[order]
    return src.astype("int32"), dst.astype("int32"), a[src, dst]


def _grads(fn, *args):
    args = [tf.constant(a) for a in args]
    with tf.GradientTape() as tape:
        tape.watch(args)
        out = fn(*args)
        weights = tf.reshape(tf.cos(tf.range(tf.size(out), dtype=out.dtype)), tf.shape(out))
        loss = tf.reduce_sum(out * weights)  # an upstream gradient that varies
    return [out] + [tf.convert_to_tensor(g) for g in tape.gradient(loss, args)]


@pytest.mark.parametrize("graph_mode", [False, True])
def test_edge_l1_distance_and_propagate_match_autodiff(block_values, graph_mode):
    n, channels = 25, 7
    src, dst, w = _edges(n)
    src, dst, w = graph_ops.sort_by_source(tf.constant(src), tf.constant(dst), tf.constant(w))
    y = np.random.default_rng(0).normal(size=(n, channels)).astype("float32")
    y[1] = y[2]  # a zero difference: sign 0, as autodiff's |x| at 0

    def run(fn):
        return [t.numpy() for t in (tf.function(fn)() if graph_mode else fn())]

    def l1(y):
        return graph_ops.edge_l1_distance(y, src, dst, n)

    def l1_auto(y):
        return tf.reduce_sum(tf.abs(tf.gather(y, src) - tf.gather(y, dst)), -1)

    def prop(w, y):
        return graph_ops.propagate(graph_ops.EdgeList(src, dst, w), y, n)

    def prop_auto(w, y):
        return tf.math.unsorted_segment_sum(w[:, None] * tf.gather(y, dst), src, n)

    for got_fn, expected_fn, args in [(l1, l1_auto, (y,)), (prop, prop_auto, (w.numpy(), y))]:
        got = run(functools.partial(_grads, got_fn, *args))
        expected = [t.numpy() for t in _grads(expected_fn, *args)]
        for g, e in zip(got, expected):
            np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-5)


def test_laplacian_blocked_equals_one_block(monkeypatch):
    """The GTV Laplacian and its gradients do not depend on the block width."""
    from spektral_tv.ops.graph import total_variation_laplacian

    n = 25
    src, dst, w = _edges(n)
    y = np.random.default_rng(1).normal(size=(n, 5)).astype("float32")
    scale = np.random.default_rng(2).uniform(0.5, 1.5, len(src)).astype("float32")

    def run():
        grads = _grads(
            lambda y, w, c: total_variation_laplacian(y, src, dst, w, c, 0.3, n), y, w, scale
        )
        return [t.numpy() for t in grads]

    one = run()
    monkeypatch.setattr(graph_ops, "EDGE_BLOCK_VALUES", 1)
    for a, b in zip(one, run()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("seed", range(4))
def test_order_statistic_equals_top_k(seed):
    """Exact against a full sort, with ties, negative values, ±0 and invalid
    entries, for every rank."""
    rng = np.random.default_rng(seed)
    rows, n = 6, 40
    values = rng.normal(size=(rows, n)).astype("float32")
    values[0] = rng.integers(0, 3, n)  # many ties
    values[1, :10] = 0.0
    values[1, 10:20] = -0.0
    values[2] = rng.uniform(0, 1, n) ** 8  # values close together near 0
    valid = rng.random((rows, n)) < 0.8
    valid[3] = True
    for rank in range(0, n, 3):
        ranks = np.minimum(rank, valid.sum(1) - 1)
        got = descending_order_statistic(
            tf.constant(values), tf.constant(ranks), tf.constant(valid)
        ).numpy()
        expected = [np.sort(v[m])[::-1][r] for v, m, r in zip(values, valid, ranks)]
        np.testing.assert_array_equal(got, np.asarray(expected, "float32"))


def test_order_statistic_gradient_reaches_the_selected_entry():
    values = tf.constant([[0.3, 0.9, 0.1, 0.6]])
    with tf.GradientTape() as tape:
        tape.watch(values)
        q = descending_order_statistic(values, tf.constant([1]), tf.ones([1, 4], tf.bool))
    np.testing.assert_array_equal(tape.gradient(q, values).numpy(), [[0, 0, 0, 1]])


# ------------------------------------------- dense batches: pairs, not edges
def _dense_batch(seed=0, n=7, channels=5):
    """Two nearly complete weighted graphs of one size, with a self-loop and a
    zero entry off the diagonal, and features: (values, adjacency)."""
    rng = np.random.default_rng(seed)
    a = np.stack([random_graph(n, seed=seed + b, density=0.9, weighted=True)[1] for b in (0, 1)])
    a[:, 0, 0] = 1.5
    a[:, 1, 3] = a[:, 3, 1] = 0
    y = rng.normal(size=(2, n, channels)).astype("float32")
    y[0, 1] = y[0, 2]  # a zero difference: sign 0 in both paths
    return y, a


@pytest.mark.parametrize("degree_normalized", [False, True])
def test_dense_gtv_step_equals_edge_gtv_step(degree_normalized):
    """Values and gradients (to the features and to every adjacency entry:
    a pooled adjacency is trained through) of the two paths agree."""
    y, a = _dense_batch()
    n = a.shape[-1]

    def by_edges(y, a):
        edges = graph_ops.edges_from_batch(a, None, tf.float32)
        flat = graph_ops.gtv_step(
            tf.reshape(y, [-1, y.shape[-1]]), edges, 2 * n, 0.7, 1e-3, degree_normalized
        )
        return tf.reshape(flat, tf.shape(y))

    def by_pairs(y, a):
        a = graph_ops.stored_entries(a, tf.float32)
        return graph_ops.dense_gtv_step(y, a, 0.7, 1e-3, degree_normalized)

    expected = _grads(by_edges, y, a)
    got = _grads(by_pairs, y, a)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-5)
    assert np.any(got[2] != 0)  # the adjacency gets a gradient


@pytest.mark.parametrize("loss_name", ["total_variation_loss", "coarsen_adjacency"])
def test_dense_losses_equal_edge_losses(loss_name):
    """The GTV loss and Sᵀ A S, with their gradients, by pairs and by edges."""
    from spektral_tv.ops import losses

    loss = getattr(losses, loss_name)
    y, a = _dense_batch(seed=3, channels=3)
    s = tf.nn.softmax(y).numpy()

    def run(s, a, dense):
        _, graphs = graph_ops.to_padded((s, a), graph_ops.BATCH, None, None)
        assert graphs.adjacency is not None
        assert bool(graph_ops.prefers_dense(graphs.edges, tf.shape(a), 3))
        return loss(s, graphs if dense else graphs._replace(adjacency=None))

    expected = _grads(functools.partial(run, dense=False), s, a)
    got = _grads(functools.partial(run, dense=True), s, a)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-6)
    assert np.any(got[2] != 0)


def test_prefers_dense_only_when_filled_and_small(monkeypatch):
    full = np.ones((2, 4, 4), "float32")
    half = full.copy()
    half[:, :2, :] = 0  # exactly half of the entries: still dense
    sparse_ = full.copy()
    sparse_[:, :3, :] = 0

    def dense(a, channels):
        edges = graph_ops.edges_from_batch(a, None, tf.float32)
        return bool(graph_ops.prefers_dense(edges, a.shape, channels))

    assert dense(full, 8)
    assert dense(half, 8)
    assert not dense(sparse_, 8)
    # Too many (B, N, N, C) values for the budget of the edge path: edges.
    monkeypatch.setattr(graph_ops, "EDGE_BLOCK_VALUES", 2 * 4 * 4 * 8 - 1)
    assert not dense(full, 8)
    assert dense(full, None)  # no (B, N, N, C) tensor
