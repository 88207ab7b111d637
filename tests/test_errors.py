"""Bad input raises a ValueError that names the argument."""

import numpy as np
import pytest

from conftest import random_graph, sparse
from spektral_tv.layers import AsymCheegerCutPool, GTVConv, MinCutPool

X, A = random_graph(6)


@pytest.mark.parametrize("k", [1, 0, -3, 2.5, "3", None])
@pytest.mark.parametrize("pool", [MinCutPool, AsymCheegerCutPool])
def test_k_must_be_an_integer_of_at_least_two(pool, k):
    with pytest.raises(ValueError, match="`k`"):
        pool(k)


@pytest.mark.parametrize("rho", [0, -1.0, float("nan"), "1"])
def test_rho_must_be_positive(rho):
    with pytest.raises(ValueError, match="`rho`"):
        AsymCheegerCutPool(3, rho=rho)


@pytest.mark.parametrize("temperature", [0, -0.5])
def test_temperature_must_be_positive(temperature):
    with pytest.raises(ValueError, match="`temperature`"):
        MinCutPool(3, temperature=temperature)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"channels": 0}, "channels"),
        ({"channels": 4, "epsilon": 0}, "epsilon"),
        ({"channels": 4, "delta_coeff": float("nan")}, "delta_coeff"),
    ],
)
def test_gtvconv_arguments(kwargs, name):
    with pytest.raises(ValueError, match=f"`{name}`"):
        GTVConv(**kwargs)


LAYERS = [lambda: GTVConv(3), lambda: MinCutPool(2), lambda: AsymCheegerCutPool(2)]


@pytest.mark.parametrize("make_layer", LAYERS)
def test_non_square_adjacency(make_layer):
    with pytest.raises(ValueError, match="`a` must be square"):
        make_layer()([X, A[:, :5]])
    with pytest.raises(ValueError, match="`a` must be square"):
        make_layer()([X, sparse(A[:, :5])])


@pytest.mark.parametrize("make_layer", LAYERS)
def test_node_counts_disagree(make_layer):
    with pytest.raises(ValueError, match="`x` has 5 nodes"):
        make_layer()([X[:5], A])
    with pytest.raises(ValueError, match="`x` has 5 nodes"):
        make_layer()([X[:5], sparse(A)])


@pytest.mark.parametrize("make_layer", LAYERS)
def test_wrong_ranks_and_mixed_modes(make_layer):
    with pytest.raises(ValueError, match="`x` must have rank 2"):
        make_layer()([X[None, None], A])
    with pytest.raises(ValueError, match="mixed modes"):
        make_layer()([X[None], A])
    with pytest.raises(ValueError, match="mixed modes"):
        make_layer()([X, A[None]])
    with pytest.raises(ValueError, match="`i` is only for disjoint mode"):
        make_layer()([X[None], A[None], np.zeros(6, "int32")])
    with pytest.raises(ValueError, match="graph index `i` has 5 entries"):
        make_layer()([X, sparse(A), np.zeros(5, "int32")])
    with pytest.raises(ValueError, match="expects a list"):
        make_layer()(X)


@pytest.mark.parametrize("make_layer", LAYERS)
def test_nan_inputs(make_layer):
    bad_x = X.copy()
    bad_x[2, 1] = np.nan
    with pytest.raises(ValueError, match="`x` contains NaN"):
        make_layer()([bad_x, A])
    bad_a = A.copy()
    bad_a[0, 1] = bad_a[1, 0] = np.inf
    with pytest.raises(ValueError, match="`a` contains NaN"):
        make_layer()([X, sparse(bad_a)])


def test_symbolic_shapes_are_checked_when_building_a_model():
    import tf_keras as keras

    x_in = keras.Input((4,))
    a_in = keras.Input((7,), sparse=True)
    x_in_6 = keras.Input((6, 4), batch_size=None)
    with pytest.raises(ValueError, match="mixed modes"):
        GTVConv(3)([x_in_6, a_in])
    x_fixed = keras.Input((4,), batch_size=6)
    a_fixed = keras.Input((7,), batch_size=7, sparse=True)
    with pytest.raises(ValueError, match="`x` has 6 nodes"):
        MinCutPool(2)([x_fixed, a_fixed])
    assert GTVConv(3)([x_in, a_in]).shape[-1] == 3


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda v: GTVConv(3, delta_coeff=v), "delta_coeff"),
        (lambda v: AsymCheegerCutPool(3, totvar_coeff=v), "totvar_coeff"),
        (lambda v: AsymCheegerCutPool(3, balance_coeff=v), "balance_coeff"),
    ],
)
@pytest.mark.parametrize("value", [-0.1, float("inf"), "1"])
def test_coefficients_must_be_non_negative(make, name, value):
    with pytest.raises(ValueError, match=f"`{name}`"):
        make(value)
    make(0.0)  # zero switches the term off


@pytest.mark.parametrize("prefix", [3, b"pool"])
def test_loss_prefix_must_be_a_string(prefix):
    with pytest.raises(ValueError, match="`loss_prefix`"):
        MinCutPool(2, loss_prefix=prefix)


@pytest.mark.parametrize("x", [np.float32(1.0), np.ones(6, "float32")])
def test_gtvconv_low_rank_features(x):
    with pytest.raises(ValueError, match="`x` must have rank 2"):
        GTVConv(3)([x, A])


def _signed(a):
    signed = a.copy()
    rows, cols = np.nonzero(np.triu(a))
    signed[rows[0], cols[0]] = signed[cols[0], rows[0]] = -1.0
    return signed


@pytest.mark.parametrize("make_layer", LAYERS)
@pytest.mark.parametrize("adjacency", [lambda a: -a, _signed], ids=["negative", "mixed"])
def test_negative_edge_weights(make_layer, adjacency):
    for a in (adjacency(A), sparse(adjacency(A))):
        with pytest.raises(ValueError, match="`a` must have no negative entries"):
            make_layer()([X, a])


GRAPH_IDS = np.array([0, 0, 0, 1, 1, 1], "int64")


@pytest.mark.parametrize("make_layer", LAYERS)
def test_graph_index_values(make_layer):
    with pytest.raises(ValueError, match="`i` must have no negative entries"):
        make_layer()([X, sparse(A), GRAPH_IDS - 1])
    with pytest.raises(ValueError, match="`i` must number the graphs 0..B-1"):
        make_layer()([X, sparse(A), np.where(GRAPH_IDS == 1, 100000, GRAPH_IDS)])
    with pytest.raises(ValueError, match="graph index `i` must have shape"):
        make_layer()([X, sparse(A), np.stack([GRAPH_IDS, GRAPH_IDS], axis=1)])
    make_layer()([X, sparse(A), GRAPH_IDS[:, None]])  # (N, 1), as Spektral's loaders


@pytest.mark.parametrize("make_layer", LAYERS)
def test_graph_index_values_under_tf_function(make_layer):
    """Traced with unknown values, the checks become assertions."""
    import tensorflow as tf

    layer = make_layer()
    call = tf.function(
        lambda x, a, i: layer([x, a, i]),
        input_signature=[
            tf.TensorSpec((None, 4)),
            tf.SparseTensorSpec((None, None)),
            tf.TensorSpec((None,), tf.int64),
        ],
    )
    call(X, sparse(A), GRAPH_IDS)
    for ids, message in (
        (GRAPH_IDS - 1, "`i` must have no negative entries"),
        (np.where(GRAPH_IDS == 1, 9, GRAPH_IDS), "0..B-1"),
    ):
        with pytest.raises(tf.errors.InvalidArgumentError, match=message):
            call(X, sparse(A), ids)
    with pytest.raises(tf.errors.InvalidArgumentError, match="no negative entries"):
        call(X, sparse(_signed(A)), GRAPH_IDS)


@pytest.mark.parametrize("make_layer", LAYERS)
def test_mask_shape_must_match_x(make_layer):
    import tensorflow as tf

    xb, ab = X[None], A[None]
    for mask in (
        np.ones((1, 5, 1), "float32"),
        np.ones((1, 6, 2), "float32"),
        np.ones((1, 6, 1, 1), "float32"),
    ):
        with pytest.raises(ValueError, match="Keras `mask` must have shape"):
            make_layer()([xb, ab], mask=[mask, None])
    layer = make_layer()
    call = tf.function(
        lambda x, a, m: layer([x, a], mask=[m, None]),
        input_signature=[
            tf.TensorSpec((None, None, 4)),
            tf.TensorSpec((None, None, None)),
            tf.TensorSpec((None, None, 1)),
        ],
    )
    call(xb, ab, np.ones((1, 6, 1), "float32"))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Keras `mask`"):
        call(xb, ab, np.ones((1, 5, 1), "float32"))
