"""Isolated nodes, edgeless graphs and empty clusters stay finite."""

import numpy as np
import pytest
import tensorflow as tf

from conftest import disjoint_union, padded_batch, random_graph, sparse
from spektral_tv.layers import AsymCheegerCutPool, GTVConv, MinCutPool

POOLS = [MinCutPool, AsymCheegerCutPool]


def _edgeless(n):
    x, _ = random_graph(n, seed=n)
    return x, np.zeros((n, n), "float32")


CASES = {
    "isolated-nodes": [random_graph(8, isolated=True, seed=4)],
    "edgeless-graph": [_edgeless(5)],
    "more-clusters-than-nodes": [random_graph(3, seed=5)],
    "single-node-graph-in-batch": [random_graph(6, seed=6), _edgeless(1)],
}


def _finite(tensors):
    for t in tf.nest.flatten(tensors):
        if isinstance(t, tf.SparseTensor):
            t = t.values
        if t is None:
            continue
        assert np.all(np.isfinite(t.numpy())), t


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("pool_cls", POOLS)
@pytest.mark.parametrize("degree_normalized", [False, True])
@pytest.mark.parametrize("mode", ["single", "disjoint", "batch"])
def test_outputs_losses_and_gradients_are_finite(case, pool_cls, degree_normalized, mode):
    graphs = CASES[case]
    conv = GTVConv(4, delta_coeff=0.5, degree_normalized=degree_normalized, activation="elu")
    pool = pool_cls(4, mlp_hidden=[5])
    if mode == "single":
        inputs, kwargs = [graphs[0][0], sparse(graphs[0][1])], {}
    elif mode == "disjoint":
        x, a, i = disjoint_union(graphs)
        inputs, kwargs = [x, sparse(a), i], {}
    else:
        x, a, mask = padded_batch(graphs)
        inputs, kwargs = [x, a], {"mask": [mask, None]}
    with tf.GradientTape() as tape:
        h = conv(inputs[:2], **kwargs)
        outputs = pool([h] + inputs[1:], **kwargs)
        pooled = outputs[0]
        if isinstance(outputs[1], tf.SparseTensor):
            a_pool_sum = tf.sparse.reduce_sum(outputs[1])
        else:
            a_pool_sum = tf.reduce_sum(outputs[1])
        loss = tf.add_n(pool.losses) + tf.reduce_sum(pooled) + a_pool_sum
    _finite(outputs + [h, loss] + pool.losses)
    weights = conv.trainable_weights + pool.trainable_weights
    gradients = tape.gradient(loss, weights)
    assert all(g is not None for g in gradients)
    _finite(gradients)


def test_edgeless_graph_losses_are_zero():
    """No edges: nothing to cut and no variation (instead of 0/0)."""
    x, a = _edgeless(5)
    pool = AsymCheegerCutPool(2)
    pool([x, a])
    assert float(pool.losses[0]) == 0.0
    pool = MinCutPool(2)
    pool([x, a])
    assert float(pool.losses[0]) == 0.0


def test_isolated_node_keeps_its_features_in_gtvconv():
    """An isolated node has no neighbour: GTVConv gives it X W + b unchanged."""
    x, a = random_graph(6, isolated=True, seed=9)
    conv = GTVConv(3, delta_coeff=0.8, use_bias=False)
    out = conv([x, a]).numpy()
    np.testing.assert_allclose(out[-1], x[-1] @ conv.kernel.numpy(), rtol=1e-5, atol=1e-6)
    assert not np.allclose(out[0], x[0] @ conv.kernel.numpy(), atol=1e-3)


def _autodiff_laplacian(y, src, dst, weight, scale, epsilon, n_nodes):
    diff = tf.gather(y, src) - tf.gather(y, dst)
    gamma = weight / tf.maximum(scale * tf.reduce_sum(tf.abs(diff), -1), epsilon)
    return tf.math.unsorted_segment_sum(gamma[:, None] * diff, src, n_nodes)


@pytest.mark.parametrize("chunk_values", [None, 1])
@pytest.mark.parametrize("jit", [False, True])
def test_hand_written_gradient_matches_automatic_differentiation(jit, chunk_values, monkeypatch):
    """The GTV Laplacian's hand-written gradients (edge distances and the CSR
    product outside XLA, one edge chunk or one edge per chunk; plain autodiff
    inside XLA) equal TensorFlow's automatic gradient, for the features, the
    edge weights and the edge scales, with some edges clamped by epsilon."""
    from spektral_tv.ops import graph as graph_ops
    from spektral_tv.ops.graph import total_variation_laplacian

    if chunk_values is not None:
        monkeypatch.setattr(graph_ops, "EDGE_BLOCK_VALUES", chunk_values)

    rng = np.random.default_rng(0)
    n, channels, epsilon = 30, 7, 0.5
    x, a = random_graph(n, seed=11, weighted=True, self_loop=True)
    src, dst = np.nonzero(a)
    order = rng.permutation(len(src))  # unsorted edges
    src, dst = src[order].astype("int32"), dst[order].astype("int32")
    y = tf.constant(rng.normal(size=(n, channels)).astype("float32"))
    y = tf.tensor_scatter_nd_update(y, [[1]], y[2:3] + 1e-3)  # a near-zero difference
    weight = tf.constant(a[src, dst])
    scale = tf.constant(rng.uniform(0.5, 1.5, len(src)).astype("float32"))
    upstream = tf.constant(rng.normal(size=(n, channels)).astype("float32"))

    def gradients(fn):
        @tf.function(jit_compile=jit)
        def run(y, weight, scale):
            with tf.GradientTape() as tape:
                tape.watch([y, weight, scale])
                out = fn(y, src, dst, weight, scale, epsilon, n)
                loss = tf.reduce_sum(out * upstream)
            return [out] + tape.gradient(loss, [y, weight, scale])

        return [tf.convert_to_tensor(t).numpy() for t in run(y, weight, scale)]

    expected = gradients(_autodiff_laplacian)
    got = gradients(total_variation_laplacian)
    clamped = np.sum(
        np.abs(np.asarray(y)[src] - np.asarray(y)[dst]).sum(-1) * scale.numpy() < epsilon
    )
    assert clamped > 0
    for e, g in zip(expected, got):
        np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("degree_normalized", [False, True])
def test_explicit_zero_edges_of_a_trainable_adjacency_have_finite_gradients(
    degree_normalized,
):
    """A sparse adjacency may store zeros (e.g. a pooled one); their gradient
    must not be NaN even when the adjacency values are trainable."""
    x, a = random_graph(6, seed=8)
    a[0, 1] = a[1, 0] = 0.0
    indices = np.argwhere(np.ones_like(a))  # every entry stored, zeros included
    values = tf.Variable(a[indices[:, 0], indices[:, 1]])
    conv = GTVConv(3, degree_normalized=degree_normalized)
    with tf.GradientTape() as tape:
        adjacency = tf.SparseTensor(indices, values * 1.0, a.shape)
        loss = tf.reduce_sum(conv([x, adjacency]) ** 2)
    gradient = tape.gradient(loss, values)
    assert np.all(np.isfinite(tf.convert_to_tensor(gradient).numpy()))
