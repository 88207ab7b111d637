"""Input checks shared by the layers: clear `ValueError`s naming the argument.

Shapes are checked whenever they are known (always in eager calls, and when a
Functional model is built with static shapes). Values are checked on the true
graph entries only (padded nodes may hold anything): in eager calls every
check raises a `ValueError`; under `tf.function` the O(N + E) checks of
`i` and of the edge weights become `tf.debugging` assertions
(`InvalidArgumentError`), while NaN and infinities in `x` and `a` are left to
the user (e.g. `keras.callbacks.TerminateOnNaN`).
"""

import numbers

import tensorflow as tf

from spektral_tv.ops.graph import BATCH, DISJOINT, SINGLE


def check_positive_int(value, name, minimum=1):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"`{name}` must be an integer >= {minimum}, got {value!r}.")
    if value < minimum:
        raise ValueError(f"`{name}` must be an integer >= {minimum}, got {value}.")
    return int(value)


def check_positive_float(value, name, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
        raise ValueError(f"`{name}` must be a number > 0, got {value!r}.")
    return float(value)


def check_non_negative_float(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"`{name}` must be a number >= 0, got {value!r}.")
    if not 0 <= value < float("inf"):
        raise ValueError(f"`{name}` must be a finite number >= 0, got {value}.")
    return float(value)


def _rank(tensor):
    return tensor.shape.rank


def _known_equal(first, second):
    return first is None or second is None or first == second


def _dense_shape(tensor):
    """The static shape, completed with the eager dense_shape of a SparseTensor."""
    shape = list(tensor.shape)
    if isinstance(tensor, tf.SparseTensor) and tf.executing_eagerly():
        shape = [int(d) for d in tensor.dense_shape.numpy()]
    return shape


def split_inputs(inputs, layer_name):
    """(x, a, i) from a list of 2 or 3 tensors."""
    if not isinstance(inputs, (list, tuple)) or len(inputs) not in (2, 3):
        raise ValueError(
            f"{layer_name} expects a list [x, a] or [x, a, i], got {type(inputs).__name__}"
            + (f" of length {len(inputs)}" if isinstance(inputs, (list, tuple)) else "")
            + "."
        )
    x, a = inputs[0], inputs[1]
    i = inputs[2] if len(inputs) == 3 else None
    return x, a, i


def check_graph_inputs(x, a, i, layer_name):
    """Validate x, a (and i) and return the data mode: single, disjoint or batch."""
    for name, tensor in (("x", x), ("a", a)):
        if _rank(tensor) is None or _rank(tensor) not in (2, 3):
            raise ValueError(
                f"{layer_name}: `{name}` must have rank 2 (single/disjoint mode) or 3 "
                f"(batch mode), got shape {tensor.shape}."
            )
    if not x.dtype.is_floating:
        raise ValueError(f"{layer_name}: `x` must be a float tensor, got {x.dtype.name}.")
    x_shape, a_shape = _dense_shape(x), _dense_shape(a)
    if not _known_equal(a_shape[-1], a_shape[-2]):
        raise ValueError(f"{layer_name}: the adjacency `a` must be square, got shape {a_shape}.")
    if _rank(x) == 3:
        if _rank(a) != 3:
            raise ValueError(
                f"{layer_name}: mixed modes: `x` is batched, shape {x_shape}, but `a` "
                f"has rank 2, shape {a_shape}; batch mode needs `a` of shape (B, N, N)."
            )
        if isinstance(a, tf.SparseTensor) or isinstance(x, tf.SparseTensor):
            raise ValueError(
                f"{layer_name}: batch mode takes dense `x` and `a`; use disjoint mode "
                "(x (N, F), sparse a (N, N), i (N,)) for sparse graphs."
            )
        if i is not None:
            raise ValueError(
                f"{layer_name}: `i` is only for disjoint mode, but `x` has rank 3 (batch mode)."
            )
        if not _known_equal(x_shape[0], a_shape[0]):
            raise ValueError(
                f"{layer_name}: `x` and `a` disagree on the batch size: {x_shape[0]} "
                f"vs {a_shape[0]}."
            )
        mode = BATCH
    else:
        if _rank(a) != 2:
            raise ValueError(
                f"{layer_name}: mixed modes: `x` has rank 2, shape {x_shape}, but `a` "
                f"has rank 3, shape {a_shape}; single and disjoint modes need `a` of "
                "shape (N, N)."
            )
        mode = SINGLE if i is None else DISJOINT
    if not _known_equal(x_shape[-2], a_shape[-1]):
        raise ValueError(
            f"{layer_name}: `x` has {x_shape[-2]} nodes but the adjacency `a` has {a_shape[-1]}."
        )
    if i is not None:
        if _rank(i) not in (1, 2) or (_rank(i) == 2 and i.shape[-1] != 1):
            raise ValueError(
                f"{layer_name}: the graph index `i` must have shape (N,), got {i.shape}."
            )
        if not i.dtype.is_integer:
            raise ValueError(
                f"{layer_name}: the graph index `i` must be integer, got {i.dtype.name}."
            )
        if not _known_equal(i.shape[0], x_shape[0]):
            raise ValueError(
                f"{layer_name}: the graph index `i` has {i.shape[0]} entries but `x` "
                f"has {x_shape[0]} nodes."
            )
    return mode


def graph_index(i):
    """The disjoint graph index as a vector (Spektral's loaders may give (N, 1))."""
    if i is not None and i.shape.rank == 2:
        i = i[:, 0]
    return i


def batch_node_mask(mask, x, layer_name):
    """The (B, N) float node mask of batch mode (1 where the Keras mask is
    True or > 0), from a Keras mask of shape (B, N) or (B, N, 1), or None."""
    if isinstance(mask, (list, tuple)):
        mask = mask[0]
    if mask is None:
        return None
    mask = tf.convert_to_tensor(mask)
    message = (
        f"{layer_name}: the Keras `mask` must have shape (B, N) or (B, N, 1) for "
        "`x` of shape (B, N, F)"
    )
    shape = mask.shape
    if (
        shape.rank not in (2, 3)
        or (shape.rank == 3 and shape[-1] not in (1, None))
        or not all(_known_equal(m, n) for m, n in zip(shape[:2], x.shape[:2]))
    ):
        raise ValueError(f"{message}, got {shape} for `x` of shape {x.shape}.")
    if not tf.executing_eagerly():
        check = tf.debugging.assert_equal(tf.shape(mask)[:2], tf.shape(x)[:2], message=message)
        with tf.control_dependencies([check]):
            mask = tf.identity(mask)
    if shape.rank == 3:
        mask = mask[..., 0]
    if mask.dtype != tf.bool:
        mask = mask > 0
    return tf.cast(mask, x.dtype)


def zero_padded_rows(values, node_mask):
    """`values` (B, N, C) with zero rows at padded nodes, whatever they held:
    a select, not a product (NaN · 0 is NaN)."""
    return tf.where(node_mask[..., None] > 0, values, tf.zeros_like(values))


def _fails(condition):
    return tf.executing_eagerly() and not bool(condition)


def check_graph_index(i, layer_name):
    """`i` >= 0 and `i` < N, eagerly (ValueError) or as assertions under
    `tf.function`; returns `i` (after the assertions in a graph).

    Graph ids number the graphs 0..B-1 (B = max(i) + 1); an id without nodes is
    an empty graph, but more graphs than nodes is taken for a mistyped id.
    """
    if i is None:
        return None
    n_nodes = tf.shape(i, out_type=i.dtype)[0]
    messages = (
        f"{layer_name}: the graph index `i` must have no negative entries",
        f"{layer_name}: the graph index `i` must number the graphs 0..B-1 with "
        "B <= N (found an id >= the number of nodes N)",
    )
    if _fails(tf.reduce_all(i >= 0)):
        raise ValueError(messages[0] + ".")
    if _fails(tf.reduce_all(i < n_nodes)):
        raise ValueError(messages[1] + ".")
    if tf.executing_eagerly():
        return i
    with tf.control_dependencies(
        [
            tf.debugging.assert_non_negative(i, message=messages[0]),
            tf.debugging.assert_less(i, n_nodes, message=messages[1]),
        ]
    ):
        return tf.identity(i)


def check_graph_values(x, weight, layer_name, node_mask=None):
    """Values of the true nodes and edges: `weight` holds the weights of the
    true edges (padded ones dropped), `node_mask` the (B, N) float node mask
    of batch mode.

    Eagerly: `x` and `weight` finite, `weight` >= 0 (ValueError). Under
    `tf.function`: `weight` >= 0 as an assertion.
    """
    message = f"{layer_name}: the adjacency `a` must have no negative entries"
    if not tf.executing_eagerly():
        tf.debugging.assert_non_negative(weight, message=message)
        return
    values = x.values if isinstance(x, tf.SparseTensor) else x
    finite = tf.math.is_finite(values)
    if node_mask is not None:
        finite = tf.logical_or(finite, node_mask[..., None] == 0)
    if not bool(tf.reduce_all(finite)):
        raise ValueError(f"{layer_name}: `x` contains NaN or infinite values.")
    if not bool(tf.reduce_all(tf.math.is_finite(weight))):
        raise ValueError(f"{layer_name}: `a` contains NaN or infinite values.")
    if not bool(tf.reduce_all(weight >= 0)):
        raise ValueError(message + ".")
