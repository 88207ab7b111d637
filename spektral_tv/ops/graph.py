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

from spektral_tv.ops._compat import csr_ops, in_xla_context, use_csr

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
    # batch without padding only: the (B, n_max, n_max) adjacency as given
    adjacency: tf.Tensor = None


def sort_by_source(src, *per_edge):
    """`src` and the other per-edge tensors in CSR order (sources non-decreasing).

    Adjacencies nearly always arrive in that order (`tf.sparse.reorder`,
    SciPy's COO of a CSR matrix, `tf.where` on a dense one), so the usual cost
    is one comparison per edge; otherwise the edges are sorted once here, per
    call, and every product and sum of the call reuses that order (the CSR
    kernels and `tf.math.segment_sum` need it). Under XLA, whose paths use
    unsorted segment sums, nothing is done.
    """
    if in_xla_context():
        return (src, *per_edge)
    tensors = (src, *per_edge)
    in_order = tf.reduce_all(src[1:] >= src[:-1])

    def permuted():
        order = tf.argsort(src, stable=True)
        return tuple(tf.gather(t, order) for t in tensors)

    return tf.cond(in_order, lambda: tuple(tf.identity(t) for t in tensors), permuted)


def sorted_edges(src, dst, weight):
    """An `EdgeList` in CSR order (see `sort_by_source`)."""
    return EdgeList(*sort_by_source(src, dst, weight))


def edges_from_adjacency(a, dtype):
    """Edge list of a rank-2 adjacency (dense or sparse), sorted by source.

    A sparse adjacency is read from its indices (no sparse ops, so it compiles
    with XLA) and coalesced (`coalesce_entries`); a dense one is searched with
    `tf.where`.
    """
    if isinstance(a, tf.SparseTensor):
        return coalesce_entries(a.indices, tf.cast(a.values, dtype), a.dense_shape[1])
    a = tf.cast(a, dtype)
    nonzero = tf.cast(tf.where(tf.not_equal(a, 0)), tf.int32)  # row-major: sorted
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


def sparse_features_matmul(x, kernel):
    """X W for a sparse X (N, F).

    A CSR product (TensorFlow's CSR kernels are several times faster than
    `tf.sparse.sparse_dense_matmul` on CPU and run on GPU); under XLA, which
    has neither, a gather of kernel rows and a segment sum.
    """
    if not use_csr(kernel.dtype):
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
    csr = csr_ops.CSRSparseMatrix(
        tf.SparseTensor(x.indices, tf.stop_gradient(x.values), x.dense_shape)
    )
    shape = tf.cast(x.dense_shape, tf.int32)

    @tf.custom_gradient
    def matmul(kernel):
        def grad(upstream):
            return _guarded_csr_matmul(csr, upstream, shape, adjoint=True)

        return _guarded_csr_matmul(csr, kernel, shape), grad

    return matmul(kernel)


def _guarded_csr_matmul(csr, dense, shape, adjoint=False):
    """csr @ dense (or csrᴴ @ dense) for a csr of `shape` (rows, columns);
    zeros when the matrix has no rows or dense no columns: TensorFlow's CSR
    kernel then divides by zero and kills the process (adjoint product, 0
    rows) or raises (0 columns). Empty graphs and empty batches are valid
    input."""
    n_columns = tf.shape(dense)[1]
    n_out = shape[1] if adjoint else shape[0]
    product = tf.cond(
        tf.logical_and(shape[0] > 0, n_columns > 0),
        lambda: csr_ops.matmul(csr, dense, adjoint_a=adjoint),
        lambda: tf.zeros(tf.stack([n_out, n_columns]), dense.dtype),
    )
    product.set_shape([None, dense.shape[1]])
    return product


def edges_from_batch(a, node_mask, dtype):
    """Edge list of a dense (B, N, N) adjacency, flat index b * N + i, sorted
    by source (`tf.where` is row-major).

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
        keep = tf.logical_and(tf.gather(flat_mask, src) > 0, tf.gather(flat_mask, dst) > 0)
        src, dst, weight = (tf.boolean_mask(t, keep) for t in (src, dst, weight))
    return EdgeList(src, dst, weight)


# The ops below take edges sorted by source (`sort_by_source`). Their per-edge
# work runs over chunks of edges, so that no (E, C) tensor larger than this
# many values (128 MB of float32) is alive at once: a graph of 10^7 edges and
# 32 channels takes ten chunks, Cora (10^4 edges, 512 channels) one. Chunks of
# edges, not of channels: TensorFlow's gathers and scatters cost per row, so
# narrow column blocks would multiply that cost. Read at trace time.
EDGE_BLOCK_VALUES = 2**25


def sum_by_source(values, src, n_nodes):
    """Σ over the edges leaving each node of per-edge `values` -> (N, ...).

    Sorted ids make this a `segment_sum`, ten times faster on CPU than the
    unsorted one, which XLA gets.
    """
    if in_xla_context():
        return tf.math.unsorted_segment_sum(values, src, n_nodes)
    summed = tf.math.segment_sum(values, src)
    padding = [[0, n_nodes - tf.shape(summed)[0]]] + [[0, 0]] * (values.shape.rank - 1)
    return tf.pad(summed, padding)


def _chunks(src, channels):
    """(chunk size, number of chunks ≥ 1) for E edges of `channels` values."""
    size = tf.maximum(EDGE_BLOCK_VALUES // tf.maximum(channels, 1), 1)
    n_chunks = tf.maximum((tf.shape(src)[0] + size - 1) // size, 1)
    return size, n_chunks


def _per_edge_sum(fn, left, right, src, dst):
    """Σ_c fn(left[src, c], right[dst, c]) for every edge, (E,), a chunk of
    edges at a time."""
    size, n_chunks = _chunks(src, tf.shape(left)[1])
    parts = tf.TensorArray(left.dtype, size=n_chunks, element_shape=[None], infer_shape=False)

    def body(c, parts):
        chunk = slice(c * size, (c + 1) * size)
        pairs = fn(tf.gather(left, src[chunk]), tf.gather(right, dst[chunk]))
        return c + 1, parts.write(c, tf.reduce_sum(pairs, axis=-1))

    # One chunk at a time (the default runs ten in parallel: ten times the memory).
    _, parts = tf.while_loop(
        lambda c, _: c < n_chunks, body, (tf.constant(0), parts), parallel_iterations=1
    )
    return parts.concat()


def _scatter_signs(coefficient, y, src, dst, n_nodes):
    """Σ_e c_e sign(y_src − y_dst) added to the source rows and subtracted from
    the target rows, (N, C): the gradient of Σ_e c_e ‖y_src − y_dst‖₁."""
    size, n_chunks = _chunks(src, tf.shape(y)[1])

    def body(c, total):
        chunk = slice(c * size, (c + 1) * size)
        chunk_src, chunk_dst = src[chunk], dst[chunk]
        signed = coefficient[chunk][:, None] * tf.sign(
            tf.gather(y, chunk_src) - tf.gather(y, chunk_dst)
        )
        # Sources are sorted (segment_sum); targets are not: a sort-free scatter
        # (sorting the targets on every step is what cost most before).
        total += sum_by_source(signed, chunk_src, n_nodes)
        return c + 1, total - tf.math.unsorted_segment_sum(signed, chunk_dst, n_nodes)

    _, total = tf.while_loop(
        lambda c, _: c < n_chunks,
        body,
        (tf.constant(0), tf.zeros_like(y)),
        parallel_iterations=1,
    )
    return total


def edge_l1_distance(y, src, dst, n_nodes):
    """‖y_i − y_j‖₁ for every edge (i, j), shape (E,).

    Outside XLA the gradient is written by hand and recomputes the signs
    from y, so only y and the edge list are kept for the backward pass
    (automatic differentiation keeps the (E, C) differences). Under XLA,
    which fuses the gathers, plain automatic differentiation.
    """
    if in_xla_context():
        return tf.reduce_sum(tf.abs(tf.gather(y, src) - tf.gather(y, dst)), axis=-1)

    @tf.custom_gradient
    def distance(y):
        def grad(upstream):
            return _scatter_signs(upstream, y, src, dst, n_nodes)

        return _per_edge_sum(lambda a, b: tf.abs(a - b), y, y, src, dst), grad

    return distance(y)


def _csr(edges, n_nodes):
    shape = tf.cast(tf.stack([n_nodes, n_nodes]), tf.int64)
    indices = tf.cast(tf.stack([edges.src, edges.dst], axis=1), tf.int64)
    return csr_ops.CSRSparseMatrix(tf.SparseTensor(indices, edges.weight, shape))


def propagate(edges, values, n_nodes):
    """A @ values on the edge list: Σ_j a_ij v_j, differentiable in the
    values and in the edge weights (a pooled adjacency is trainable).

    Edges sorted by source: a CSR product built from them per call (no copy
    of the messages per edge, multithreaded, transposed product for the
    gradient); under XLA, or without the CSR kernels, a segment sum.
    """
    if not use_csr(values.dtype):
        messages = edges.weight[:, None] * tf.gather(values, edges.dst)
        return tf.math.unsorted_segment_sum(messages, edges.src, n_nodes)

    shape = tf.stack([n_nodes, n_nodes])

    @tf.custom_gradient
    def product(weight, values):
        csr = _csr(EdgeList(edges.src, edges.dst, weight), n_nodes)

        def grad(upstream):
            # d a_ij = g_i · v_j; pruned from the graph when nothing needs it.
            d_weight = _per_edge_sum(tf.multiply, upstream, values, edges.src, edges.dst)
            return d_weight, _guarded_csr_matmul(csr, upstream, shape, adjoint=True)

        return _guarded_csr_matmul(csr, values, shape), grad

    return product(edges.weight, values)


def degrees(edges, n_nodes):
    """Row sums of the adjacency, A 1."""
    return sum_by_source(edges.weight, edges.src, n_nodes)


def safe_rsqrt(values):
    """1/√v where v > 0, else 0, with finite gradients at 0."""
    positive = values > 0
    safe = tf.where(positive, values, tf.ones_like(values))
    return tf.where(positive, tf.math.rsqrt(safe), tf.zeros_like(values))


def gtv_step(values, edges, n_nodes, delta_coeff, epsilon, degree_normalized=False):
    """One GTVConv aggregation, (I − δ·L̂_Γ) X̃, on an edge list (the TVGNN
    paper, eqs. 26-29).

    Γ̂_ij = a_ij / max(‖x̃_i − x̃_j‖₁, ε). With `degree_normalized` it is the
    degree-weighted variant of the paper's App. A.4:
    (I − δ D^-½ L_Γ D^-½) X̃ with γ_ij = a_ij / max(ε, ‖√a_ij (x̃_i/√d_i − x̃_j/√d_j)‖₁).
    Memory is O(E + N·F): per-edge scalars, no N×N or E×F tensor kept.
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


def total_variation_laplacian(y, src, dst, weight, scale, epsilon, n_nodes):
    """L̂_Γ y = Σ_j γ_ij (y_i − y_j), γ_ij = w_ij / max(c_ij ‖y_i − y_j‖₁, ε).

    Written as D_Γ y − Γ y: the edge distances (`edge_l1_distance`) and the
    product with Γ (`propagate`) carry hand-written gradients, the rest is
    per-edge and per-node arithmetic left to automatic differentiation.
    Gradients flow to y, to the edge weights w (a pooled adjacency is
    trainable) and to the scales c. Edges may come in any order.
    """
    src, dst, weight, scale = sort_by_source(src, dst, weight, scale)
    norm = scale * edge_l1_distance(y, src, dst, n_nodes)
    gamma = weight / tf.maximum(norm, epsilon)
    # A self-loop cancels out of L̂_Γ, but its γ = w/ε would enter D_Γ y and
    # Γ y separately and cost float32 precision in their difference.
    gamma = tf.where(tf.equal(src, dst), tf.zeros_like(gamma), gamma)
    degree = sum_by_source(gamma, src, n_nodes)
    return degree[:, None] * y - propagate(EdgeList(src, dst, gamma), y, n_nodes)


# Dense batch-mode adjacencies
# ----------------------------------------------------------------------------
# A pooled graph Sᵀ A S has every pair of its K nodes connected, so its edge
# list is all of the K² pairs and the per-edge work gathers and scatters K²
# rows. When at least this share of a batch's pairs are edges, the ops below
# broadcast over the (B, N, N, C) pairs instead: no more memory than twice the
# edge list's (E, C) values, and half the time on CPU for the second pool of
# the classification networks (D&D: 142 nodes a pooled graph). Sparse batches
# keep the edge path, and so do padded ones (a Keras mask): with the dense
# path on them, COLLAB's first block in batch mode failed in TensorFlow's
# gradient (AlreadyExistsError of an AddN temporary variable), cause not found.
DENSE_MIN_FILL = 0.5


def stored_entries(a, dtype):
    """A dense (B, N, N) adjacency in `dtype` through which gradients reach
    its nonzero entries only, as they do through an edge list or a sparse
    tensor."""
    a = tf.cast(a, dtype)
    return tf.where(tf.not_equal(a, 0), a, tf.zeros_like(a))


def prefers_dense(edges, shape, channels=None):
    """Whether a dense batch adjacency of `shape` (B, N, N) with these
    `edges` (`edges_from_batch`) is better worked on as a whole than through
    its edges, a scalar bool tensor: at least `DENSE_MIN_FILL` of its entries
    are edges and, when a (B, N, N, `channels`) tensor is to be built, it fits
    `EDGE_BLOCK_VALUES`. Reads no entry of the adjacency."""
    shape = tf.cast(shape, tf.int64)
    pairs = shape[0] * shape[1] * shape[2]
    n_edges = tf.cast(tf.size(edges.src, out_type=tf.int64), tf.float64)
    dense = n_edges >= DENSE_MIN_FILL * tf.cast(pairs, tf.float64)
    if channels is None:
        return dense
    fits = pairs * tf.cast(channels, tf.int64) <= EDGE_BLOCK_VALUES
    return tf.logical_and(dense, fits)


def edges_in_branch(edges):
    """`edges` as tensors made inside the current `tf.cond` branch: TensorFlow
    fails to differentiate a branch whose segment sums take their ids from
    outside it ("You must feed a value for placeholder")."""
    return EdgeList(*(tf.identity(t) for t in edges))


def pairwise_l1_distance(y):
    """‖y_i − y_j‖₁ for every pair of nodes of each graph: (B, N, N) from
    (B, N, C)."""
    return tf.reduce_sum(tf.abs(y[:, :, None, :] - y[:, None, :, :]), axis=-1)


def dense_gtv_step(values, a, delta_coeff, epsilon, degree_normalized=False):
    """`gtv_step` on B graphs in batch mode: `values` (B, N, C), `a` the dense
    (B, N, N) adjacency (`stored_entries`). Same arithmetic, pairs of nodes
    instead of edges."""
    if degree_normalized:
        inv_sqrt_degree = safe_rsqrt(tf.reduce_sum(a, axis=-1))[..., None]
        scaled = values * inv_sqrt_degree
        norm = a * safe_rsqrt(a) * pairwise_l1_distance(scaled)
    else:
        scaled = values
        norm = pairwise_l1_distance(scaled)
    gamma = a / tf.maximum(norm, epsilon)
    # Self-loops cancel out of L̂_Γ (see `total_variation_laplacian`).
    gamma = tf.linalg.set_diag(gamma, tf.zeros(tf.shape(gamma)[:-1], gamma.dtype))
    laplacian = tf.reduce_sum(gamma, axis=-1, keepdims=True) * scaled - tf.matmul(gamma, scaled)
    if degree_normalized:
        laplacian = laplacian * inv_sqrt_degree
    return values - delta_coeff * laplacian


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
        # Dense pairs only for batches without padding (pooled graphs): see
        # `DENSE_MIN_FILL`.
        adjacency = a if node_mask is None else None
        if node_mask is None:
            node_mask = tf.ones(tf.shape(x)[:2], dtype)
        edges = edges_from_batch(a, node_mask, dtype)
        return x, PaddedGraphs(node_mask, edges, n_graphs, n_max, None, adjacency)

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
    x_pad = tf.scatter_nd(scatter_index[:, None], x, tf.stack([flat_size, tf.shape(x)[-1]]))
    x_pad = tf.reshape(x_pad, tf.stack([n_graphs, n_max, tf.shape(x)[-1]]))
    node_mask = tf.reshape(
        tf.scatter_nd(scatter_index[:, None], tf.ones([n_nodes], dtype), [flat_size]),
        tf.stack([n_graphs, n_max]),
    )
    edges = sorted_edges(
        tf.gather(scatter_index, edges.src),
        tf.gather(scatter_index, edges.dst),
        edges.weight,
    )
    return x_pad, PaddedGraphs(node_mask, edges, n_graphs, n_max, scatter_index)


def scatter_to_padded(values, graphs):
    """Rows of a disjoint (N, C) tensor laid out as (B, n_max, C)."""
    flat_size = graphs.n_graphs * graphs.n_max
    channels = tf.shape(values)[-1]
    padded = tf.scatter_nd(graphs.scatter_index[:, None], values, tf.stack([flat_size, channels]))
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
