"""Graph clean-up and the conversions every dataset class shares: the float
dtype argument, one-hot labels, row-normalized features, a single graph with
dense or sparse features."""

import numpy as np
import scipy.sparse as sp
from spektral.data import Graph


def float_dtype(dtype):
    """The NumPy float dtype of a ``dtype`` argument.

    Args:
        dtype: a NumPy dtype, its name or type, or a ``tf.DType``.

    Returns:
        A ``np.dtype`` of kind float.

    Raises:
        ValueError: ``dtype`` is not a float dtype.
    """
    if hasattr(dtype, "as_numpy_dtype"):  # a tf.DType
        dtype = dtype.as_numpy_dtype
    try:
        dtype = np.dtype(dtype)
    except TypeError as e:
        raise ValueError(f"dtype must be a float dtype, got {dtype!r}: {e}") from None
    if dtype.kind != "f":
        raise ValueError(f"dtype must be a float dtype (float32, float64...), got {dtype}")
    return dtype


def clean_adjacency(a, dtype=np.float32, symmetrize=True):
    """Binary, symmetric (union of both directions), no self-loops, no stored
    zeros, sorted indices.

    Args:
        a: (N, N) adjacency, dense or scipy sparse.
        dtype: dtype of the result.
        symmetrize: add the reverse of every edge; if False, keep the
            directions of ``a``.

    Returns:
        A scipy CSR matrix of ``dtype``.
    """
    a = sp.coo_matrix(a)
    keep = (a.row != a.col) & (a.data != 0)
    rows, cols = a.row[keep], a.col[keep]
    if symmetrize:
        rows, cols = np.concatenate([rows, cols]), np.concatenate([cols, rows])
    out = sp.csr_matrix((np.ones(rows.size, dtype), (rows, cols)), shape=a.shape)
    out.sum_duplicates()
    out.data[:] = 1
    out.sort_indices()
    return out


def one_hot(values):
    """One-hot encoding of integer-like labels, classes in sorted order (so
    -1/1 and 1..C both map to 0..C-1).

    Args:
        values: the labels, any shape (flattened).

    Returns:
        ``(one_hot, codes, classes)``: float32 (n, C), the int class index of
        each value, and the original value of each class.
    """
    classes, codes = np.unique(np.asarray(values), return_inverse=True)
    codes = codes.reshape(-1)
    return np.eye(len(classes), dtype=np.float32)[codes], codes, classes


def normalize_rows(x):
    """Each row of a sparse feature matrix divided by its sum; rows of zeros
    stay zero.

    Args:
        x: (N, F) scipy sparse matrix.

    Returns:
        A CSR matrix of ``x``'s dtype.
    """
    rowsum = np.asarray(x.sum(1)).reshape(-1)
    inverse = np.divide(1.0, rowsum, out=np.zeros_like(rowsum), where=rowsum != 0)
    out = (sp.diags(inverse.astype(x.dtype)) @ x).tocsr()
    out.sort_indices()
    return out


def single_graph(x, a, y, sparse_features):
    """The ``Graph`` of a single-graph dataset.

    Args:
        x: (N, F) scipy sparse features.
        a: (N, N) adjacency.
        y: node labels.
        sparse_features: keep ``x`` as scipy CSR (Spektral's ``Graph()``
            accepts only a dense ``x``: the CSR goes in after); else a dense array.

    Returns:
        A ``spektral.data.Graph``.
    """
    if not sparse_features:
        return Graph(x=x.toarray(), a=a, y=y)
    graph = Graph(a=a, y=y)
    graph.x = sp.csr_matrix(x)
    return graph
