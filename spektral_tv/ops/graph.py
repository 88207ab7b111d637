"""Graph operations shared by every layer and data mode.

Every layer reduces its inputs to an *edge list* (source, target and weight of
each nonzero of the adjacency) so that memory and time grow with the number of
edges E, never with N². Pooling layers additionally work in a *padded layout*:
node features of B graphs laid out as (B, N_max, F), with a node mask. Batch
mode is already in that layout; single mode is the case B = 1; disjoint mode is
scattered into it. The same arithmetic then runs in every mode, which is what
makes the modes agree.
"""
from typing import NamedTuple

import tensorflow as tf

SINGLE = "single"
DISJOINT = "disjoint"
BATCH = "batch"


class EdgeList(NamedTuple):
    """Nonzero entries of an adjacency, indexed into a flat node axis."""

    src: tf.Tensor  # (E,) int32, row index i of a_ij
    dst: tf.Tensor  # (E,) int32, column index j of a_ij
    weight: tf.Tensor  # (E,) float, a_ij


class PaddedGraphs(NamedTuple):
    """B graphs in the padded layout, with their edges in flat padded indices.

    Node (b, p) has flat index b * n_max + p.
    """

    node_mask: tf.Tensor  # (B, n_max) float, 1 for real nodes
    edges: EdgeList
    n_graphs: tf.Tensor  # scalar int32
    n_max: tf.Tensor  # scalar int32 (a Python int when static)
    scatter_index: tf.Tensor  # disjoint only: (N,) flat padded index of each node


def edges_from_adjacency(a, dtype):
    """Edge list of a rank-2 adjacency (dense or sparse), in its own node order.

    A sparse adjacency is read from its indices (no sparse ops, so it compiles
    with XLA) and coalesced (`coalesce_entries`); a dense one is searched with
    `tf.where`.
    """
    if isinstance(a, tf.SparseTensor):
        return coalesce_entries(a.indices, tf.cast(a.values, dtype), a.dense_shape[1])
    a = tf.cast(a, dtype)
    nonzero = tf.cast(tf.where(tf.not_equal(a, 0)), tf.int32)
    return EdgeList(nonzero[:, 0], nonzero[:, 1], tf.gather_nd(a, nonzero))


def coalesce_entries(indices, weight, n_cols):
    """Edge list of sparse (row, col) `indices`, sorted by (row, col), with
    duplicate entries summed into the first of them (the others keep weight
    0, so shapes stay the input's): any order, duplicates or stored zeros of
    one matrix give the same edges. Canonical indices (`tf.sparse.reorder`,
    no duplicates), the usual case, cost one comparison per entry.
    """
    keys = indices[:, 0] * tf.cast(n_cols, tf.int64) + indices[:, 1]

    def merged():
        order = tf.argsort(keys, stable=True)
        sorted_keys = tf.gather(keys, order)
        first = tf.concat([[True], sorted_keys[1:] != sorted_keys[:-1]], 0)[: tf.size(keys)]
        segment = tf.cumsum(tf.cast(first, tf.int32)) - 1
        sums = tf.math.unsorted_segment_sum(tf.gather(weight, order), segment, tf.size(keys))
        summed = tf.where(first, tf.gather(sums, segment), tf.zeros_like(sums))
        return tf.gather(indices, order), summed

    canonical = tf.reduce_all(keys[1:] > keys[:-1])
    indices, weight = tf.cond(
        canonical, lambda: (tf.identity(indices), tf.identity(weight)), merged
    )
    indices = tf.cast(indices, tf.int32)
    return EdgeList(indices[:, 0], indices[:, 1], weight)


def in_xla_context():
    """Whether the ops being traced will be compiled by XLA (jit_compile)."""
    try:
        from tensorflow.python.ops import control_flow_util
    except ImportError:  # pragma: no cover - private module moved
        return False
    return control_flow_util.GraphOrParentsInXlaContext(tf.compat.v1.get_default_graph())


def sparse_features_matmul(x, kernel):
    """X W for a sparse X (N, F).

    A CSR product (TensorFlow's CSR kernels are several times faster than
    `tf.sparse.sparse_dense_matmul` on CPU and run on GPU); under XLA, which
    has neither, a gather of kernel rows and a segment sum.
    """
    if in_xla_context():
        rows = tf.cast(x.indices[:, 0], tf.int32)
        cols = tf.cast(x.indices[:, 1], tf.int32)
        values = tf.cast(x.values, kernel.dtype)[:, None]
        n_rows = tf.cast(x.dense_shape[0], tf.int32)
        return tf.math.unsorted_segment_sum(values * tf.gather(kernel, cols), rows, n_rows)
    x = tf.sparse.reorder(tf.cast(x, kernel.dtype))
    return _csr_matmul(x, tf.convert_to_tensor(kernel))


def _csr_matmul(x, kernel):
    """CSR(X) @ W with the gradient for W only (TensorFlow's own CSR gradient
    also builds one for X, which needs a static shape and is never used)."""
    from tensorflow.python.ops.linalg.sparse import sparse_csr_matrix_ops as csr_ops

    csr = csr_ops.CSRSparseMatrix(
        tf.SparseTensor(x.indices, tf.stop_gradient(x.values), x.dense_shape)
    )

    @tf.custom_gradient
    def matmul(kernel):
        def grad(upstream):
            return csr_ops.matmul(csr, upstream, adjoint_a=True)

        return csr_ops.matmul(csr, kernel), grad

    return matmul(kernel)


def edges_from_batch(a, node_mask, dtype):
    """Edge list of a dense (B, N, N) adjacency, flat index b * N + i.

    Edges that touch a padded node (node_mask 0) are dropped.
    """
    a = tf.cast(a, dtype)
    n = tf.shape(a)[-1]
    nonzero = tf.cast(tf.where(tf.not_equal(a, 0)), tf.int32)
    b, i, j = nonzero[:, 0], nonzero[:, 1], nonzero[:, 2]
    src, dst = b * n + i, b * n + j
    weight = tf.gather_nd(a, nonzero)
    if node_mask is not None:
        flat_mask = tf.reshape(node_mask, [-1])
        keep = tf.logical_and(
            tf.gather(flat_mask, src) > 0, tf.gather(flat_mask, dst) > 0
        )
        src, dst, weight = (tf.boolean_mask(t, keep) for t in (src, dst, weight))
    return EdgeList(src, dst, weight)


def propagate(edges, values, n_nodes):
    """A @ values on the edge list: Σ_j a_ij v_j."""
    messages = edges.weight[:, None] * tf.gather(values, edges.dst)
    return tf.math.unsorted_segment_sum(messages, edges.src, n_nodes)


def degrees(edges, n_nodes):
    """Row sums of the adjacency, A 1."""
    return tf.math.unsorted_segment_sum(edges.weight, edges.src, n_nodes)


def safe_rsqrt(values):
    """1/√v where v > 0, else 0, with finite gradients at 0."""
    positive = values > 0
    safe = tf.where(positive, values, tf.ones_like(values))
    return tf.where(positive, tf.math.rsqrt(safe), tf.zeros_like(values))


def gtv_step(values, edges, n_nodes, delta_coeff, epsilon, degree_normalized=False):
    """One GTVConv aggregation, (I − δ·L̂_Γ) X̃, on an edge list ([002] eqs. 26-29).

    Γ̂_ij = a_ij / max(‖x̃_i − x̃_j‖₁, ε). With `degree_normalized` it is the
    degree-weighted variant of [002] App. A.4:
    (I − δ D^-½ L_Γ D^-½) X̃ with γ_ij = a_ij / max(ε, ‖√a_ij (x̃_i/√d_i − x̃_j/√d_j)‖₁).
    Memory is O(E·F): one difference vector per edge, no N×N or N×N×F tensor.
    """
    if degree_normalized:
        inv_sqrt_degree = safe_rsqrt(degrees(edges, n_nodes))[:, None]
        scaled = values * inv_sqrt_degree
        # √a_ij, with a finite gradient at stored zeros (tf.sqrt's is infinite)
        scale = edges.weight * safe_rsqrt(edges.weight)
    else:
        scaled = values
        scale = tf.ones_like(edges.weight)
    laplacian = total_variation_laplacian(
        scaled, edges.src, edges.dst, edges.weight, scale, epsilon, n_nodes
    )
    if degree_normalized:
        laplacian = laplacian * inv_sqrt_degree
    return values - delta_coeff * laplacian


def row_scatter(ids, n_nodes, dtype):
    """A function v (E, F) -> (N, F) summing the rows of v into rows `ids`.

    For float32 outside XLA it is a product with the CSR incidence matrix of
    `ids`, three to four times faster than `unsorted_segment_sum` on CPU
    (multithreaded) and backed by cuSPARSE on GPU; XLA, which has no CSR
    kernels, and other dtypes get the segment sum.
    """
    if in_xla_context() or dtype != tf.float32:
        return lambda rows: tf.math.unsorted_segment_sum(rows, ids, n_nodes)
    from tensorflow.python.ops.linalg.sparse import sparse_csr_matrix_ops as csr_ops

    n_rows = tf.shape(ids, out_type=tf.int64)[0]
    incidence = tf.sparse.reorder(
        tf.SparseTensor(
            tf.stack([tf.cast(ids, tf.int64), tf.range(n_rows)], axis=1),
            tf.ones([n_rows]),
            tf.stack([tf.cast(n_nodes, tf.int64), n_rows]),
        )
    )
    incidence = csr_ops.CSRSparseMatrix(incidence)
    return lambda rows: csr_ops.matmul(incidence, rows)


def total_variation_laplacian(y, src, dst, weight, scale, epsilon, n_nodes):
    """L̂_Γ y = Σ_j γ_ij (y_i − y_j), γ_ij = w_ij / max(c_ij ‖y_i − y_j‖₁, ε).

    The gradient is written by hand: it reuses the edge differences of the
    forward pass and takes three E×F scatter/gather passes where automatic
    differentiation takes five, the bulk of a GTVConv training step.
    Gradients flow to y, to the edge weights w (a pooled adjacency is
    trainable) and to the scales c.
    """

    @tf.custom_gradient
    def laplacian(y, weight, scale):
        diff = tf.gather(y, src) - tf.gather(y, dst)
        abs_sum = tf.reduce_sum(tf.abs(diff), axis=-1)
        norm = scale * abs_sum
        denominator = tf.maximum(norm, epsilon)
        gamma = weight / denominator
        scatter_to_src = row_scatter(src, n_nodes, y.dtype)
        output = scatter_to_src(gamma[:, None] * diff)

        def grad(upstream):
            upstream_src = tf.gather(upstream, src)
            d_gamma = tf.reduce_sum(upstream_src * diff, axis=-1)
            d_norm = tf.where(
                norm > epsilon,
                -d_gamma * gamma / denominator,
                tf.zeros_like(d_gamma),
            )
            d_diff = gamma[:, None] * upstream_src + (d_norm * scale)[:, None] * tf.sign(
                diff
            )
            d_y = scatter_to_src(d_diff) - row_scatter(dst, n_nodes, y.dtype)(d_diff)
            return d_y, d_gamma / denominator, d_norm * abs_sum

        return output, grad

    return laplacian(y, weight, scale)


def static_or_dynamic(value):
    """A Python int when the size is known at trace time, else a tensor."""
    static = tf.get_static_value(value)
    return int(static) if static is not None else value


def to_padded(inputs, mode, i=None, node_mask=None):
    """Lay out x and a of any mode as padded graphs; returns (x_pad, graphs).

    x_pad is (B, n_max, F). Padded rows of x_pad are zero in disjoint mode and
    whatever the batch held in batch mode (callers mask them).
    """
    x, a = inputs
    dtype = x.dtype
    if mode == BATCH:
        n_graphs = tf.shape(x)[0]
        n_max = static_or_dynamic(tf.shape(x)[1])
        if node_mask is None:
            node_mask = tf.ones(tf.shape(x)[:2], dtype)
        edges = edges_from_batch(a, node_mask, dtype)
        return x, PaddedGraphs(node_mask, edges, n_graphs, n_max, None)

    edges = edges_from_adjacency(a, dtype)
    if mode == SINGLE:
        n_max = static_or_dynamic(tf.shape(x)[0])
        node_mask = tf.ones([1, n_max], dtype)
        return x[None], PaddedGraphs(node_mask, edges, tf.constant(1), n_max, None)

    # Disjoint: the position of a node inside its graph is its rank among the
    # nodes with the same index (a stable sort keeps any node order valid).
    i = tf.cast(i, tf.int32)
    n_nodes = tf.shape(i)[0]
    n_graphs = tf.reduce_max(tf.concat([i, [-1]], 0)) + 1  # 0 when i is empty
    counts = tf.math.bincount(i, minlength=n_graphs, maxlength=n_graphs)
    n_max = tf.reduce_max(tf.concat([counts, [0]], 0))
    starts = tf.cumsum(counts, exclusive=True)
    order = tf.argsort(i, stable=True)
    rank_in_sorted = tf.range(n_nodes) - tf.gather(starts, tf.gather(i, order))
    position = tf.scatter_nd(order[:, None], rank_in_sorted, [n_nodes])
    scatter_index = i * n_max + position
    flat_size = n_graphs * n_max
    x_pad = tf.scatter_nd(
        scatter_index[:, None], x, tf.stack([flat_size, tf.shape(x)[-1]])
    )
    x_pad = tf.reshape(x_pad, tf.stack([n_graphs, n_max, tf.shape(x)[-1]]))
    node_mask = tf.reshape(
        tf.scatter_nd(scatter_index[:, None], tf.ones([n_nodes], dtype), [flat_size]),
        tf.stack([n_graphs, n_max]),
    )
    edges = EdgeList(
        tf.gather(scatter_index, edges.src),
        tf.gather(scatter_index, edges.dst),
        edges.weight,
    )
    return x_pad, PaddedGraphs(node_mask, edges, n_graphs, n_max, scatter_index)


def scatter_to_padded(values, graphs):
    """Rows of a disjoint (N, C) tensor laid out as (B, n_max, C)."""
    flat_size = graphs.n_graphs * graphs.n_max
    channels = tf.shape(values)[-1]
    padded = tf.scatter_nd(
        graphs.scatter_index[:, None], values, tf.stack([flat_size, channels])
    )
    return tf.reshape(padded, tf.stack([graphs.n_graphs, graphs.n_max, channels]))


def flatten_padded(values):
    """(B, n_max, C) -> (B * n_max, C)."""
    return tf.reshape(values, tf.stack([-1, tf.shape(values)[-1]]))


def per_graph_sum(node_values, graphs):
    """Sum of flat per-node values (B * n_max,) over each graph -> (B,)."""
    return tf.reduce_sum(
        tf.reshape(node_values, tf.stack([graphs.n_graphs, graphs.n_max])), axis=1
    )


def block_diagonal(blocks):
    """A sparse block-diagonal (B·K, B·K) matrix from dense (B, K, K) blocks."""
    n_graphs, k = tf.shape(blocks)[0], tf.shape(blocks)[1]
    rows, cols = tf.meshgrid(tf.range(k), tf.range(k), indexing="ij")
    offsets = tf.range(n_graphs)[:, None, None] * k
    rows = tf.reshape(rows[None] + offsets, [-1])
    cols = tf.reshape(cols[None] + offsets, [-1])
    indices = tf.cast(tf.stack([rows, cols], axis=1), tf.int64)
    size = tf.cast(n_graphs * k, tf.int64)
    return tf.SparseTensor(indices, tf.reshape(blocks, [-1]), tf.stack([size, size]))
