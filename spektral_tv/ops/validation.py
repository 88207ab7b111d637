"""Input checks shared by the layers: clear `ValueError`s naming the argument.

Shapes are checked whenever they are known (always in eager calls, and when a
Functional model is built with static shapes); values (NaN, infinities) are
checked in eager calls, where an exception can be raised without a cost to
every training step.
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


def check_finite_float(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"`{name}` must be a number, got {value!r}.")
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"`{name}` must be finite, got {value}.")
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


def _check_values_finite(tensor, name, layer_name):
    if not tf.executing_eagerly():
        return
    values = tensor.values if isinstance(tensor, tf.SparseTensor) else tensor
    if not values.dtype.is_floating:
        return
    if not bool(tf.reduce_all(tf.math.is_finite(values))):
        raise ValueError(f"{layer_name}: `{name}` contains NaN or infinite values.")


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
        if _rank(tensor) not in (2, 3):
            raise ValueError(
                f"{layer_name}: `{name}` must have rank 2 (single/disjoint mode) or 3 "
                f"(batch mode), got shape {tensor.shape}."
            )
    if not x.dtype.is_floating:
        raise ValueError(f"{layer_name}: `x` must be a float tensor, got {x.dtype.name}.")
    x_shape, a_shape = _dense_shape(x), _dense_shape(a)
    if not _known_equal(a_shape[-1], a_shape[-2]):
        raise ValueError(
            f"{layer_name}: the adjacency `a` must be square, got shape {a_shape}."
        )
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
                f"{layer_name}: `i` is only for disjoint mode, but `x` has rank 3 "
                "(batch mode)."
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
            f"{layer_name}: `x` has {x_shape[-2]} nodes but the adjacency `a` has "
            f"{a_shape[-1]}."
        )
    if i is not None:
        if _rank(i) not in (1, 2) or (_rank(i) == 2 and i.shape[-1] not in (1, None)):
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
    _check_values_finite(x, "x", layer_name)
    _check_values_finite(a, "a", layer_name)
    return mode


def graph_index(i):
    """The disjoint graph index as a vector (Spektral's loaders may give (N, 1))."""
    if i is not None and i.shape.rank == 2:
        i = i[:, 0]
    return i
