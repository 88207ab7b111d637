"""Layers computed in float64 and float16 give the float32 results, in every mode.

Spektral's own test suite runs its layers with `set_floatx("float64")`; Keras
users also pass `dtype=` per layer or set a mixed-precision policy. Whatever
the dtype, every sub-layer (the pools' MLP) must follow the layer's, and the
outputs and losses must be those of float32 within the dtype's precision.
"""

import numpy as np
import pytest
import tensorflow as tf
import tf_keras as keras

import reference as ref
from conftest import disjoint_union, padded_batch, random_graph, sparse
from spektral_tv.layers import AsymCheegerCutPool, GTVConv, MinCutPool

GRAPHS = [random_graph(7, seed=1), random_graph(10, seed=2, weighted=True, isolated=True)]

LAYERS = {
    "gtv": lambda **kw: GTVConv(5, delta_coeff=0.4, activation="elu", **kw),
    "gtv-degree": lambda **kw: GTVConv(4, delta_coeff=0.3, degree_normalized=True, **kw),
    "mincut": lambda **kw: MinCutPool(3, mlp_hidden=[6], return_selection=True, **kw),
    "acc": lambda **kw: AsymCheegerCutPool(
        3, mlp_hidden=[6], rho=1.5, totvar_coeff=0.7, return_selection=True, **kw
    ),
}
# Float16 keeps about three significant digits.
TOLERANCE = {"float64": 1e-5, "float16": 3e-2}


def _mode_inputs(dtype):
    """The same two graphs as single-mode calls, one disjoint union and one
    masked padded batch, cast to `dtype`."""
    cast = lambda t: tf.cast(t, dtype)  # noqa: E731
    singles = [[cast(x), tf.sparse.map_values(cast, sparse(a))] for x, a in GRAPHS]
    x, a, i = disjoint_union(GRAPHS)
    disjoint = [cast(x), tf.sparse.map_values(cast, sparse(a)), i]
    xb, ab, mask = padded_batch(GRAPHS, pad_value=2.0)
    batch = ([cast(xb), cast(ab)], {"mask": [tf.constant(mask, dtype), None]})
    return singles, disjoint, batch


def _run(layer, dtype):
    """Outputs (as float64 arrays) and losses of every mode call."""
    singles, disjoint, (batch, batch_kwargs) = _mode_inputs(dtype)
    results = []
    calls = [(inputs, {}) for inputs in singles] + [(disjoint, {}), (batch, batch_kwargs)]
    for inputs, kwargs in calls:
        outputs = layer(inputs, **kwargs)
        outputs = outputs if isinstance(outputs, list) else [outputs]
        outputs = [tf.sparse.to_dense(o) if isinstance(o, tf.SparseTensor) else o for o in outputs]
        for o in outputs:
            if o.dtype.is_floating:
                assert o.dtype == dtype, f"{layer.name}: output of dtype {o.dtype.name}"
        for loss in layer.losses:
            assert loss.dtype == dtype, f"{layer.name}: loss of dtype {loss.dtype.name}"
        results.append(
            (
                [o.numpy().astype(np.float64) for o in outputs],
                np.array([float(v) for v in layer.losses]),
            )
        )
    return results


@pytest.mark.parametrize("dtype", ["float64", "float16"])
@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_dtype_matches_float32(name, dtype):
    reference = LAYERS[name]()
    layer = LAYERS[name](dtype=dtype)
    x, a = GRAPHS[0]
    reference([x, sparse(a)])
    layer([tf.cast(x, dtype), tf.sparse.map_values(lambda v: tf.cast(v, dtype), sparse(a))])
    assert all(w.dtype == dtype for w in layer.weights), [w.name for w in layer.weights]
    layer.set_weights([w.astype(dtype) for w in reference.get_weights()])

    expected = _run(reference, tf.float32)
    got = _run(layer, tf.as_dtype(dtype))
    tol = TOLERANCE[dtype]
    for (out_expected, loss_expected), (out_got, loss_got) in zip(expected, got):
        assert all(np.all(np.isfinite(o)) for o in out_got)
        for o_expected, o_got in zip(out_expected, out_got):
            np.testing.assert_allclose(o_got, o_expected, atol=tol, rtol=tol)
        np.testing.assert_allclose(loss_got, loss_expected, atol=tol, rtol=tol)


@pytest.mark.parametrize("pool_class", [MinCutPool, AsymCheegerCutPool])
def test_float64_pool_assignment_keeps_float64_precision(pool_class):
    """The MLP of a float64 pool computes in float64: a float32 step anywhere
    would leave errors of order 1e-7 in the assignments."""
    x = np.random.default_rng(0).normal(size=(6, 3))
    a = np.ones((6, 6)) - np.eye(6)
    pool = pool_class(2, mlp_hidden=[4], return_selection=True, dtype="float64")
    s = pool([tf.constant(x), tf.constant(a)])[-1].numpy()
    w1, b1, w2, b2 = pool.get_weights()
    logits = np.maximum(x @ w1 + b1, 0.0) @ w2 + b2
    np.testing.assert_allclose(s, ref.softmax(logits), rtol=1e-12, atol=1e-12)


def _fit_small_model(pool_class):
    """GTVConv -> pool on a 40-node graph, 5 steps of `model.fit`."""
    x, a = random_graph(40, n_features=6, density=0.15, seed=3)
    x_in = keras.Input((6,))
    a_in = keras.Input((40,), sparse=True)
    h = GTVConv(8, delta_coeff=0.5, activation="elu")([x_in, a_in])
    *_, s = pool_class(4, mlp_hidden=[8], return_selection=True)([h, a_in])
    model = keras.Model([x_in, a_in], s)
    model.compile(keras.optimizers.Adam(1e-2))
    data = tf.data.Dataset.from_tensors(((x, sparse(a)),)).repeat()
    history = model.fit(data, steps_per_epoch=5, epochs=1, verbose=0)
    return model, history.history, model.predict_on_batch((x, sparse(a)))


@pytest.fixture
def global_policy(request):
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(request.param)
    yield request.param
    keras.mixed_precision.set_global_policy(previous)


@pytest.mark.parametrize("global_policy", ["float64", "mixed_float16"], indirect=True)
@pytest.mark.parametrize("pool_class", [MinCutPool, AsymCheegerCutPool])
def test_global_dtype_policy_trains(pool_class, global_policy):
    model, history, s = _fit_small_model(pool_class)
    compute = "float16" if global_policy == "mixed_float16" else global_policy
    variable = "float32" if global_policy == "mixed_float16" else global_policy
    assert s.dtype == compute
    assert all(w.dtype == variable for w in model.weights)
    assert all(np.all(np.isfinite(v)) for v in history.values()), history
    assert set(pool_class.loss_names) <= set(history)
    np.testing.assert_allclose(s.astype(np.float64).sum(axis=1), 1.0, atol=1e-2)
