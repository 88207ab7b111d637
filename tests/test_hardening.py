"""Unusual but valid input gives the result it should (issue 14): any
representation of a matrix, any values in padded rows, empty batches and
graphs, graph ids with gaps; the batch recipe saves and loads; auxiliary losses
keep their names in History. Bad input is in test_errors.py."""

import numpy as np
import pytest
import tensorflow as tf
import tf_keras as keras

import reference as ref
from conftest import disjoint_union, padded_batch, random_graph, sparse
from spektral_tv.layers import AsymCheegerCutPool, GraphMasking, GTVConv, MinCutPool

ATOL = 1e-5
GRAPHS = [
    random_graph(7, seed=1, weighted=True),
    random_graph(5, seed=2, self_loop=True),
    random_graph(9, seed=3, weighted=True, isolated=True),
]
LAYERS = {
    "gtvconv": lambda: GTVConv(4, delta_coeff=0.6, activation="elu"),
    "gtvconv-degree": lambda: GTVConv(4, delta_coeff=0.6, degree_normalized=True),
    "mincut": lambda: MinCutPool(3, return_selection=True),
    "acc": lambda: AsymCheegerCutPool(3, return_selection=True),
}


def outputs_and_losses(layer, inputs, **kwargs):
    outputs = [
        tf.sparse.to_dense(t) if isinstance(t, tf.SparseTensor) else t
        for t in tf.nest.flatten(layer(inputs, **kwargs))
    ]
    return [t.numpy() for t in outputs], np.array([float(v) for v in layer.losses])


def assert_same(first, second, atol=ATOL):
    (out_1, loss_1), (out_2, loss_2) = first, second
    assert len(out_1) == len(out_2)
    for a, b in zip(out_1, out_2):
        assert np.all(np.isfinite(b))
        np.testing.assert_allclose(b, a, atol=atol)
    np.testing.assert_allclose(loss_2, loss_1, atol=atol)


# --------------------------------------------- one matrix, any representation
def representations(a, seed=0):
    """The same matrix as a canonical, shuffled, duplicated (each entry split
    in two unequal parts) and zero-padded (stored zeros) SparseTensor."""
    rng = np.random.default_rng(seed)
    idx = np.argwhere(a != 0).astype("int64")
    values = a[idx[:, 0], idx[:, 1]]
    perm = rng.permutation(len(idx))
    split = rng.uniform(0.2, 0.8, len(idx)).astype("float32")
    duplicated = (
        np.concatenate([idx, idx]),
        np.concatenate([values * split, values * (1 - split)]),
    )
    zeros = np.argwhere(a == 0)[:3].astype("int64")
    stored_zeros = (
        np.concatenate([idx, zeros]),
        np.concatenate([values, np.zeros(len(zeros), "float32")]),
    )
    forms = {
        "shuffled": (idx[perm], values[perm]),
        "duplicated": duplicated,
        "stored-zeros": stored_zeros,
    }
    for name, (indices, vals) in list(forms.items()):
        order = rng.permutation(len(indices))  # and in no particular order
        forms[name] = tf.SparseTensor(indices[order], vals[order].astype("float32"), a.shape)
    forms["dense"] = tf.constant(a)
    return forms


@pytest.mark.parametrize("layer_name", sorted(LAYERS))
def test_any_representation_of_the_adjacency_gives_the_same_result(layer_name):
    layer = LAYERS[layer_name]()
    x, a = GRAPHS[0]
    canonical = outputs_and_losses(layer, [x, sparse(a)])
    for _name, form in representations(a).items():
        assert_same(canonical, outputs_and_losses(layer, [x, form]))
    x, a, i = disjoint_union(GRAPHS)
    canonical = outputs_and_losses(layer, [x, sparse(a), i])
    for _name, form in representations(a, seed=1).items():
        assert_same(canonical, outputs_and_losses(layer, [x, form, i]))


def test_duplicate_entries_count_one_edge_in_the_tv_loss():
    """The GTV loss divides by the number of edges: a duplicated entry is one
    edge (the TVGNN paper, eq. 14), as in the NumPy reference."""
    pool = AsymCheegerCutPool(3, return_selection=True)
    x, a = GRAPHS[0]
    duplicated = representations(a)["duplicated"]
    *_, s = pool([x, duplicated])
    np.testing.assert_allclose(float(pool.losses[0]), ref.gtv_loss(a, s.numpy()), rtol=1e-5)


def test_duplicate_sparse_features_give_the_same_result():
    conv = GTVConv(4, delta_coeff=0.4)
    x, a = GRAPHS[0]
    forms = representations(x)  # the features as a matrix with duplicates etc.
    canonical = conv([sparse(x), sparse(a)]).numpy()
    for form in forms.values():
        np.testing.assert_allclose(conv([form, sparse(a)]).numpy(), canonical, atol=ATOL)


def test_duplicates_under_xla():
    x, a = GRAPHS[2]
    duplicated = representations(a)["duplicated"]
    for layer in (GTVConv(4, degree_normalized=True), AsymCheegerCutPool(3)):
        expected = tf.nest.flatten(layer([x, sparse(a)]))
        call = tf.function(
            lambda x, a, layer=layer: tf.nest.flatten(layer([x, a])), jit_compile=True
        )
        for got, want in zip(call(x, duplicated), expected):
            np.testing.assert_allclose(got.numpy(), want.numpy(), atol=ATOL)


def test_degree_normalized_gradient_is_finite_at_stored_zeros():
    """A trainable adjacency with stored zeros (MinCutPool's zero diagonal in
    disjoint mode) gets finite gradients through the degree-weighted GTVConv."""
    x, a = GRAPHS[0]
    indices = np.argwhere(np.ones_like(a)).astype("int64")  # every entry stored
    weight = tf.Variable(a.reshape(-1))
    conv = GTVConv(4, degree_normalized=True)
    with tf.GradientTape() as tape:
        out = conv([x, tf.SparseTensor(indices, weight, a.shape)])
        loss = tf.reduce_sum(out**2)
    grad = tape.gradient(loss, weight)
    assert np.all(np.isfinite(grad.numpy()))
    assert np.any(grad.numpy()[a.reshape(-1) > 0] != 0)


# ------------------------------------------------ padded rows hold anything
@pytest.mark.parametrize("traced", [False, True], ids=["eager", "tf.function"])
@pytest.mark.parametrize("pad_value", [np.nan, np.inf, 3e38])
@pytest.mark.parametrize("layer_name", sorted(LAYERS))
def test_values_in_padded_rows_reach_nothing(layer_name, pad_value, traced):
    layer = LAYERS[layer_name]()
    xb, ab, mask = padded_batch(GRAPHS, pad_value=0.0)
    clean = outputs_and_losses(layer, [xb, ab], mask=[mask, None])
    xb, ab, mask = padded_batch(GRAPHS, pad_value=pad_value)

    def run(x, a, m):
        return tf.nest.flatten(layer([x, a], mask=[m, None])), layer.losses

    if traced:
        run = tf.function(run)
    outputs, losses = run(tf.constant(xb), tf.constant(ab), tf.constant(mask))
    dirty = [t.numpy() for t in outputs], np.array([float(v) for v in losses])
    assert_same(clean, dirty)
    for out in dirty[0]:
        if out.shape[1] == mask.shape[1]:  # per-node outputs: padded rows zero
            assert np.all(out[mask[..., 0] == 0] == 0)
    # and the true rows are those of each graph alone
    for b, (x, a) in enumerate(GRAPHS):
        single = outputs_and_losses(layer, [x, a])[0]
        n = len(x)
        for got, want in zip(dirty[0], single):
            got = got[b, :n] if got.shape[1] == mask.shape[1] else got[b]
            np.testing.assert_allclose(got, want, atol=ATOL)


# ------------------------------------------------------ empty batches, graphs
POOLS = {name: make for name, make in LAYERS.items() if "gtv" not in name}


@pytest.mark.parametrize("pool_name", sorted(POOLS))
def test_empty_batches_and_graphs_pool_to_zeros_with_zero_loss(pool_name):
    pool = POOLS[pool_name]()
    n_features, k = 4, 3
    cases = {
        "batch, B = 0": (
            [np.zeros((0, 5, n_features), "float32"), np.zeros((0, 5, 5), "float32")],
            dict(mask=[np.zeros((0, 5, 1), "float32"), None]),
        ),
        "batch, N = 0": (
            [np.zeros((2, 0, n_features), "float32"), np.zeros((2, 0, 0), "float32")],
            {},
        ),
        "single, N = 0": (
            [np.zeros((0, n_features), "float32"), sparse(np.zeros((0, 0), "float32"))],
            {},
        ),
        "disjoint, empty i": (
            [
                np.zeros((0, n_features), "float32"),
                sparse(np.zeros((0, 0), "float32")),
                np.zeros(0, "int64"),
            ],
            {},
        ),
    }
    expected_rows = {
        "batch, B = 0": (0, k),
        "batch, N = 0": (2, k),
        "single, N = 0": (k,),
        "disjoint, empty i": (0,),
    }
    for name, (inputs, kwargs) in cases.items():
        outputs, losses = outputs_and_losses(pool, inputs, **kwargs)
        assert outputs[0].shape[:-1] == expected_rows[name], name
        for out in outputs:
            assert np.all(out == 0), name
        np.testing.assert_array_equal(losses, [0.0, 0.0], err_msg=name)


def test_gtvconv_on_zero_nodes():
    for a in (np.zeros((0, 0), "float32"), sparse(np.zeros((0, 0), "float32"))):
        assert GTVConv(3)([np.zeros((0, 4), "float32"), a]).shape == (0, 3)
    out = GTVConv(3)([np.zeros((2, 0, 4), "float32"), np.zeros((2, 0, 0), "float32")])
    assert out.shape == (2, 0, 3)


@pytest.mark.parametrize("pool_name", sorted(POOLS))
def test_empty_graphs_do_not_dilute_the_loss(pool_name):
    """An all-padded graph in batch mode and an id without nodes in disjoint
    mode are empty graphs: K zero pooled rows, and the losses are the mean
    over the graphs that have nodes."""
    pool = POOLS[pool_name]()
    k = pool.k
    xb, ab, mask = padded_batch(GRAPHS, pad_value=1.0)
    reference = outputs_and_losses(pool, [xb, ab], mask=[mask, None])
    empty = np.zeros_like(mask[:1])
    with_empty = outputs_and_losses(
        pool,
        [np.concatenate([xb[:1], xb]), np.concatenate([ab[:1], ab])],
        mask=[np.concatenate([empty, mask]), None],
    )
    assert_same(reference, ([out[1:] for out in with_empty[0]], with_empty[1]))
    for out in with_empty[0]:
        assert np.all(out[0] == 0)

    x, a, i = disjoint_union(GRAPHS)
    reference = outputs_and_losses(pool, [x, sparse(a), i])
    gaps = np.where(i == 0, 0, i + 1)  # ids 0, 2, 3: graph 1 is empty
    x_pool, a_pool, i_pool, s = with_gap = outputs_and_losses(pool, [x, sparse(a), gaps])[0]
    np.testing.assert_array_equal(i_pool, np.repeat(np.arange(4), k))
    kept = np.r_[0:k, 2 * k : 4 * k]
    assert np.all(x_pool[k : 2 * k] == 0) and np.all(a_pool[k : 2 * k] == 0)
    np.testing.assert_allclose(x_pool[kept], reference[0][0], atol=ATOL)
    np.testing.assert_allclose(a_pool[np.ix_(kept, kept)], reference[0][1], atol=ATOL)
    np.testing.assert_allclose(s, reference[0][3], atol=ATOL)
    np.testing.assert_allclose([float(v) for v in pool.losses], reference[1], atol=ATOL)
    assert len(with_gap) == 4


# ------------------------------------------------- batch recipe saves, loads
@pytest.mark.parametrize("masking", ["spektral", "spektral_tv"])
def test_batch_model_with_graph_masking_saves_and_loads(tmp_path, masking):
    """The README's batch recipe: GraphMasking before the layers; the model
    saves and loads without custom_objects, and the mask still works."""
    import spektral.layers

    layer_class = spektral.layers.GraphMasking if masking == "spektral" else GraphMasking
    xb, ab, mask = padded_batch(GRAPHS, pad_value=7.0)
    n_features = xb.shape[-1]
    x_in = keras.Input((None, n_features + 1))
    a_in = keras.Input((None, None))
    h = layer_class()(x_in)
    h = GTVConv(5, activation="elu")([h, a_in])
    x_pool, a_pool, s = AsymCheegerCutPool(2, return_selection=True, loss_prefix="pool")([h, a_in])
    model = keras.Model([x_in, a_in], [x_pool, a_pool, s])
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    inputs = [np.concatenate([xb, mask], -1), ab]
    for want, got in zip(model(inputs), loaded(inputs)):
        np.testing.assert_allclose(got.numpy(), want.numpy(), atol=1e-6)
    np.testing.assert_allclose(
        [float(v) for v in loaded.losses], [float(v) for v in model.losses], atol=1e-6
    )
    # The mask came through: the first graph alone gives the same pooled rows.
    n = len(GRAPHS[0][0])
    alone = loaded([inputs[0][:1, :n], ab[:1, :n, :n]])
    np.testing.assert_allclose(alone[0].numpy()[0], loaded(inputs)[0].numpy()[0], atol=ATOL)


# ------------------------------------------------- loss names in History
def fit_history(pools, steps=2):
    x, a = GRAPHS[0]
    x_in = keras.Input((x.shape[1],))
    a_in = keras.Input((None,), sparse=True)
    h, adjacency = x_in, a_in
    for pool in pools:
        h = GTVConv(6, activation="elu")([h, adjacency])
        h, adjacency = pool([h, adjacency])
    model = keras.Model([x_in, a_in], h)
    model.compile(keras.optimizers.Adam(1e-3))
    data = tf.data.Dataset.from_tensors(((x, sparse(a)),)).repeat()
    return model, model.fit(data, steps_per_epoch=steps, epochs=1, verbose=0).history


def test_losses_are_logged_under_plain_names_by_default():
    _, history = fit_history([AsymCheegerCutPool(3, totvar_coeff=0.5)])
    assert set(history) == {"loss", "tv_loss", "balance_loss"}
    np.testing.assert_allclose(
        history["loss"], 0.5 * np.array(history["tv_loss"]) + history["balance_loss"], rtol=1e-4
    )


def test_loss_prefix_keeps_two_pools_apart_and_survives_save(tmp_path):
    model, history = fit_history(
        [MinCutPool(4, loss_prefix="pool1"), MinCutPool(2, loss_prefix="pool2")]
    )
    assert set(history) == {
        "loss",
        "pool1_cut_loss",
        "pool1_ortho_loss",
        "pool2_cut_loss",
        "pool2_ortho_loss",
    }
    total = sum(np.array(history[name]) for name in history if name != "loss")
    np.testing.assert_allclose(history["loss"], total, rtol=1e-4)
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert [layer.loss_prefix for layer in loaded.layers if hasattr(layer, "loss_prefix")] == [
        "pool1",
        "pool2",
    ]


def test_colliding_loss_names_raise():
    """Keras's History keeps one value per name: two pools logging the same
    names is refused when the model is traced, not silently merged."""
    with pytest.raises(ValueError, match="`loss_prefix`"):
        fit_history([AsymCheegerCutPool(4), AsymCheegerCutPool(2)])
    # different losses, or the same layer called twice, do not collide
    _, history = fit_history([MinCutPool(4), AsymCheegerCutPool(2)])
    assert {"cut_loss", "ortho_loss", "tv_loss", "balance_loss"} <= set(history)


@pytest.mark.parametrize("name", sorted(LAYERS))
@pytest.mark.parametrize("disjoint", [False, True], ids=["single", "disjoint"])
def test_gradients_on_an_empty_graph_are_empty_not_a_crash(name, disjoint):
    # TensorFlow's adjoint CSR product divides by zero on a matrix with no
    # rows and kills the process: the backward pass must not reach it.
    layer = LAYERS[name]()
    x = tf.zeros((0, 4))
    inputs = [x, sparse(np.zeros((0, 0), "float32"))]
    if disjoint:
        inputs.append(tf.zeros(0, tf.int64))
    with tf.GradientTape() as tape:
        tape.watch(x)
        outputs = [
            tf.sparse.to_dense(t) if isinstance(t, tf.SparseTensor) else t
            for t in tf.nest.flatten(layer(inputs))
        ]
        floats = [tf.reduce_sum(t) for t in outputs if t.dtype.is_floating]
        total = tf.add_n(floats + list(layer.losses))
    grads = tape.gradient(total, [x] + layer.trainable_weights)
    assert grads[0].shape == (0, 4)
    for weight, grad in zip(layer.trainable_weights, grads[1:]):
        assert grad is not None and grad.shape == weight.shape
        np.testing.assert_array_equal(grad.numpy(), 0.0)
