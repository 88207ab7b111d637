"""Every data mode gives the same outputs and losses on the same graphs."""

import numpy as np
import pytest
import tensorflow as tf

from conftest import disjoint_union, padded_batch, random_graph, sparse
from spektral_tv.layers import AsymCheegerCutPool, GTVConv, MinCutPool

GRAPHS = [
    random_graph(7, seed=1),
    random_graph(12, seed=2, weighted=True, isolated=True),
    random_graph(4, seed=3, self_loop=True),
]
# Nearly complete weighted graphs of one size, as pooled graphs are: batch
# mode without a mask works on them through dense pairs (`prefers_dense`), the
# other modes, and padded batches, through edges.
DENSE_GRAPHS = [
    random_graph(6, seed=4, density=1.0, weighted=True, self_loop=True),
    random_graph(6, seed=5, density=0.9, weighted=True),
]
# Sparse graphs of one size: batch mode without a mask chooses the edges in
# the graph (`tf.cond`), which must differentiate as well.
ONE_SIZE_GRAPHS = [random_graph(8, seed=6), random_graph(8, seed=7, weighted=True)]
GRAPH_SETS = {"sparse": GRAPHS, "dense": DENSE_GRAPHS, "one-size": ONE_SIZE_GRAPHS}
ATOL = 1e-5

POOLS = {
    "mincut": lambda: MinCutPool(3, return_selection=True),
    "mincut-mlp-temp": lambda: MinCutPool(
        3, mlp_hidden=[8], temperature=0.5, return_selection=True
    ),
    "acc": lambda: AsymCheegerCutPool(3, return_selection=True),
    "acc-rho": lambda: AsymCheegerCutPool(
        3,
        mlp_hidden=[6],
        rho=1.5,
        totvar_coeff=0.7,
        balance_coeff=0.4,
        return_selection=True,
    ),
}


def losses_of(layer):
    return np.array([float(v) for v in layer.losses])


def metric_values(layer):
    return {m.name: float(m.result()) for m in layer.metrics}


def batch_of(graphs, graph_set, pad_value):
    """`(x, a, layer kwargs)` of a batch: padded, with its mask, for the sparse
    set; without a mask for the sets of one size, of which the dense one
    takes the dense path (asserted here) and the other the edges."""
    from spektral_tv.ops.graph import edges_from_batch, prefers_dense

    xb, ab, mask = padded_batch(graphs, pad_value=pad_value)
    if graph_set == "sparse":
        return xb, ab, {"mask": [tf.constant(mask), None]}
    assert np.all(mask == 1)
    edges = edges_from_batch(ab, None, tf.float32)
    assert bool(prefers_dense(edges, ab.shape, 8)) == (graph_set == "dense")
    return xb, ab, {}


@pytest.mark.parametrize("graph_set", sorted(GRAPH_SETS))
@pytest.mark.parametrize("degree_normalized", [False, True])
def test_gtvconv_modes_agree(degree_normalized, graph_set):
    graphs = GRAPH_SETS[graph_set]
    conv = GTVConv(5, delta_coeff=0.4, degree_normalized=degree_normalized, activation="elu")
    single = [conv([x, a]).numpy() for x, a in graphs]
    single_sparse = [conv([x, sparse(a)]).numpy() for x, a in graphs]
    for dense_out, sparse_out in zip(single, single_sparse):
        np.testing.assert_allclose(dense_out, sparse_out, atol=ATOL)

    x, a, i = disjoint_union(graphs)
    disjoint = conv([x, sparse(a), i]).numpy()
    np.testing.assert_allclose(disjoint, np.concatenate(single), atol=ATOL)

    xb, ab, kwargs = batch_of(graphs, graph_set, pad_value=3.0)
    batch = conv([xb, ab], **kwargs).numpy()
    for b, out in enumerate(single):
        n = out.shape[0]
        np.testing.assert_allclose(batch[b, :n], out, atol=ATOL)
        assert np.all(batch[b, n:] == 0), "padded rows must be zero"


def test_gtvconv_sparse_features():
    conv = GTVConv(6, delta_coeff=0.3)
    x, a = GRAPHS[1]
    x[np.abs(x) < 0.8] = 0.0
    dense = conv([x, sparse(a)]).numpy()
    sparse_x = conv([sparse(x), sparse(a)]).numpy()
    np.testing.assert_allclose(dense, sparse_x, atol=ATOL)


@pytest.mark.parametrize("graph_set", sorted(GRAPH_SETS))
@pytest.mark.parametrize("pool_name", sorted(POOLS))
def test_pool_modes_agree(pool_name, graph_set):
    graphs = GRAPH_SETS[graph_set]
    pool = POOLS[pool_name]()
    single, single_losses = [], []
    for x, a in graphs:
        outputs = pool([x, a])
        outputs_sparse = pool([x, sparse(a)])
        for dense_part, sparse_part in zip(outputs, outputs_sparse):
            np.testing.assert_allclose(dense_part.numpy(), sparse_part.numpy(), atol=ATOL)
        single.append([t.numpy() for t in outputs])
        single_losses.append(losses_of(pool))
    expected_losses = np.mean(single_losses, axis=0)
    k = pool.k

    x, a, i = disjoint_union(graphs)
    x_pool, a_pool, i_pool, s = pool([x, sparse(a), i])
    np.testing.assert_allclose(losses_of(pool), expected_losses, atol=ATOL)
    assert isinstance(a_pool, tf.SparseTensor)
    a_pool = tf.sparse.to_dense(a_pool).numpy()
    assert a_pool.shape == (k * len(graphs),) * 2
    np.testing.assert_array_equal(i_pool.numpy(), np.repeat(np.arange(len(graphs)), k))
    start = 0
    for b, (xs, as_, ss) in enumerate(single):
        block = slice(b * k, (b + 1) * k)
        np.testing.assert_allclose(x_pool.numpy()[block], xs, atol=ATOL)
        np.testing.assert_allclose(a_pool[block, block], as_, atol=ATOL)
        off_block = np.delete(a_pool[block], np.arange(b * k, (b + 1) * k), axis=1)
        assert np.all(off_block == 0)
        n = ss.shape[0]
        np.testing.assert_allclose(s.numpy()[start : start + n], ss, atol=ATOL)
        start += n

    xb, ab, kwargs = batch_of(graphs, graph_set, pad_value=5.0)
    x_pool, a_pool, s = pool([xb, ab], **kwargs)
    np.testing.assert_allclose(losses_of(pool), expected_losses, atol=ATOL)
    for b, (xs, as_, ss) in enumerate(single):
        n = ss.shape[0]
        np.testing.assert_allclose(x_pool.numpy()[b], xs, atol=ATOL)
        np.testing.assert_allclose(a_pool.numpy()[b], as_, atol=ATOL)
        np.testing.assert_allclose(s.numpy()[b, :n], ss, atol=ATOL)
        assert np.all(s.numpy()[b, n:] == 0)


def test_batch_without_mask_equals_single_when_no_padding():
    x, a = GRAPHS[0]
    pool = AsymCheegerCutPool(2)
    x_single, a_single = pool([x, a])
    single_losses = losses_of(pool)
    x_batch, a_batch = pool([x[None], a[None]])
    np.testing.assert_allclose(x_batch.numpy()[0], x_single.numpy(), atol=ATOL)
    np.testing.assert_allclose(losses_of(pool), single_losses, atol=ATOL)


def test_disjoint_node_order_does_not_matter():
    """Nodes need not be sorted by graph: pooled outputs are the same and S
    follows the nodes."""
    pool = MinCutPool(3, return_selection=True)
    x, a, i = disjoint_union(GRAPHS)
    x_pool, a_pool, i_pool, s = pool([x, sparse(a), i])
    reference_losses = losses_of(pool)
    perm = np.random.default_rng(0).permutation(len(x))
    xp, ap, ip = x[perm], a[perm][:, perm], i[perm]
    x_pool2, a_pool2, _, s2 = pool([xp, sparse(ap), ip])
    np.testing.assert_allclose(x_pool2.numpy(), x_pool.numpy(), atol=ATOL)
    np.testing.assert_allclose(
        tf.sparse.to_dense(a_pool2).numpy(), tf.sparse.to_dense(a_pool).numpy(), atol=ATOL
    )
    np.testing.assert_allclose(s2.numpy(), s.numpy()[perm], atol=ATOL)
    np.testing.assert_allclose(losses_of(pool), reference_losses, atol=ATOL)


def test_spektral_graph_masking_layer_feeds_the_mask():
    """Inside a Functional model the mask comes from spektral's GraphMasking."""
    import tf_keras as keras
    from spektral.layers import GraphMasking

    xb, ab, mask = padded_batch(GRAPHS, pad_value=2.0)
    n_features = xb.shape[2]
    x_in = keras.Input((None, n_features + 1))
    a_in = keras.Input((None, None))
    h = GraphMasking()(x_in)
    h = GTVConv(4, activation="elu")([h, a_in])
    x_pool, a_pool, s = MinCutPool(2, return_selection=True)([h, a_in])
    model = keras.Model([x_in, a_in], [x_pool, s])
    x_pool_b, s_b = model([np.concatenate([xb, mask], -1), ab])
    for b, (x, a) in enumerate(GRAPHS):
        x_pool_1, s_1 = model(
            [np.concatenate([x, np.ones((len(x), 1), "float32")], -1)[None], a[None]]
        )
        np.testing.assert_allclose(x_pool_b.numpy()[b], x_pool_1.numpy()[0], atol=ATOL)
        np.testing.assert_allclose(s_b.numpy()[b, : len(x)], s_1.numpy()[0], atol=ATOL)


def test_pure_loss_functions_on_padded_graphs():
    """The losses in spektral_tv.ops work without the layers: one value per
    graph, equal to the same graph's value computed alone."""
    import reference as ref
    from spektral_tv import ops
    from spektral_tv.ops.graph import scatter_to_padded

    x, a, i = disjoint_union(GRAPHS)
    x_pad, graphs = ops.to_padded((tf.constant(x), sparse(a)), ops.DISJOINT, i)
    rng = np.random.default_rng(0)
    s = rng.dirichlet(np.ones(3), size=len(x)).astype("float32")
    s_pad = scatter_to_padded(tf.constant(s), graphs)
    per_graph = {
        "tv": ops.total_variation_loss(s_pad, graphs).numpy(),
        "an": ops.asymmetric_norm_loss(s_pad, graphs, rho=1.5).numpy(),
        "cut": ops.mincut_loss(s_pad, graphs).numpy(),
        "ortho": ops.orthogonality_loss(s_pad).numpy(),
    }
    start = 0
    for b, (_, ag) in enumerate(GRAPHS):
        sg = s[start : start + len(ag)]
        start += len(ag)
        np.testing.assert_allclose(per_graph["tv"][b], ref.gtv_loss(ag, sg), rtol=1e-5)
        np.testing.assert_allclose(
            per_graph["an"][b], ref.asym_norm_loss(sg, rho=1.5), rtol=1e-4, atol=1e-6
        )
        np.testing.assert_allclose(per_graph["cut"][b], ref.mincut_loss(ag, sg), rtol=1e-5)
        np.testing.assert_allclose(per_graph["ortho"][b], ref.ortho_loss(sg), rtol=1e-5)


LAYERS = {
    "gtvconv": lambda: GTVConv(4, delta_coeff=0.6, activation="elu"),
    "gtvconv-degree": lambda: GTVConv(4, delta_coeff=0.6, degree_normalized=True),
    **POOLS,
}


@pytest.mark.parametrize("graph_set", sorted(GRAPH_SETS))
@pytest.mark.parametrize("layer_name", sorted(LAYERS))
def test_batch_gradients_traced_equal_eager(layer_name, graph_set):
    """Batch mode chooses between edges and dense pairs inside the graph
    (`tf.cond`); traced gradients, to the features, the adjacency and the
    weights, equal the eager ones, which run the chosen path directly."""
    graphs = GRAPH_SETS[graph_set]
    layer = LAYERS[layer_name]()
    xb, ab, kwargs = batch_of(graphs, graph_set, pad_value=2.0)
    inputs = [tf.constant(t) for t in (xb, ab)]

    def gradients(x, a):
        with tf.GradientTape() as tape:
            tape.watch([x, a])
            outputs = tf.nest.flatten(layer([x, a], **kwargs))
            total = tf.add_n([tf.reduce_sum(tf.sin(t)) for t in outputs] + layer.losses)
        return tape.gradient(total, [x, a, *layer.trainable_variables])

    eager = gradients(*inputs)
    traced = tf.function(gradients)(*inputs)
    assert len(traced) == len(eager) > 2
    for e, t in zip(eager, traced):
        assert np.all(np.isfinite(t.numpy()))
        np.testing.assert_allclose(t.numpy(), e.numpy(), rtol=1e-4, atol=1e-5)
    assert np.any(eager[1].numpy() != 0)  # the adjacency is differentiated
