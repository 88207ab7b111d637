"""The auxiliary losses of MinCutPool and of the Asymmetric Cheeger cut pooling.

Each function takes the soft assignments of B graphs in the padded layout,
``s`` of shape (B, n_max, K) with zero rows at padded nodes, and a
`PaddedGraphs` (edge list in flat padded indices, node mask), and returns one
value per graph, shape (B,). Only each graph's true nodes and edges count.

References:
    [000] Bianchi, Grattarola, Alippi, "Spectral Clustering with Graph Neural
          Networks for Graph Pooling", ICML 2020.
    [002] Hansen, Bianchi, "Total Variation Graph Neural Networks", ICML 2023.
"""

import tensorflow as tf

from spektral_tv.ops._compat import in_xla_context
from spektral_tv.ops.graph import (
    degrees,
    edges_in_branch,
    edge_l1_distance,
    flatten_padded,
    pairwise_l1_distance,
    per_graph_sum,
    prefers_dense,
    propagate,
    stored_entries,
    sum_by_source,
)


def coarsen_adjacency(s, graphs):
    """Sᵀ A S per graph, (B, K, K), through the edge list: O(E·K) memory
    (a batch of dense graphs: two matrix products, `prefers_dense`)."""

    def by_edges():
        s_flat = flatten_padded(s)
        a_s = propagate(edges_in_branch(graphs.edges), s_flat, tf.shape(s_flat)[0])
        return tf.reshape(a_s, tf.shape(s))

    if graphs.adjacency is None:
        a_s = by_edges()
    else:
        a_s = tf.cond(
            prefers_dense(graphs.edges, tf.shape(graphs.adjacency)),
            lambda: tf.matmul(stored_entries(graphs.adjacency, s.dtype), s),
            by_edges,
        )
    return tf.matmul(s, a_s, transpose_a=True)


def mincut_loss(s, graphs, a_pool=None):
    """L_c = −Tr(SᵀÃS) / Tr(SᵀD̃S), D̃ = diag(Ã1) ([000] eq. 6).

    A graph without edges has both traces zero and gets a loss of 0.
    `a_pool`, Sᵀ Ã S before any post-processing, is reused when given.
    """
    if a_pool is None:
        a_pool = coarsen_adjacency(s, graphs)
    cut = tf.linalg.trace(a_pool)
    s_flat = flatten_padded(s)
    degree = degrees(graphs.edges, tf.shape(s_flat)[0])
    volume = per_graph_sum(degree * tf.reduce_sum(tf.square(s_flat), axis=-1), graphs)
    return -tf.math.divide_no_nan(cut, volume)


def orthogonality_loss(s):
    """L_o = ‖SᵀS / ‖SᵀS‖_F − I_K / √K‖_F ([000] eq. 6)."""
    k = tf.shape(s)[-1]
    sts = tf.matmul(s, s, transpose_a=True)
    sts_norm = tf.norm(sts, axis=(-2, -1), keepdims=True)
    identity = tf.eye(k, dtype=s.dtype) / tf.sqrt(tf.cast(k, s.dtype))
    return tf.norm(tf.math.divide_no_nan(sts, sts_norm) - identity, axis=(-2, -1))


def total_variation_loss(s, graphs):
    """L_GTV = Σ_k Σ_{i<j} a_ij |s_ik − s_jk| / (2E) ([002] eqs. 12, 14).

    Summed over the ordered pairs (both directions of each undirected edge)
    and divided by 2·nnz, which is the same quantity. A graph without edges
    gets a loss of 0.
    """

    def by_edges():
        edges = edges_in_branch(graphs.edges)
        s_flat = flatten_padded(s)
        n_flat = tf.shape(s_flat)[0]
        abs_diff = edge_l1_distance(s_flat, edges.src, edges.dst, n_flat)
        variation = sum_by_source(edges.weight * abs_diff, edges.src, n_flat)
        nonzero = tf.cast(tf.not_equal(edges.weight, 0), s.dtype)
        n_nonzero = sum_by_source(nonzero, edges.src, n_flat)
        return per_graph_sum(variation, graphs), per_graph_sum(n_nonzero, graphs)

    def by_pairs():
        a = stored_entries(graphs.adjacency, s.dtype)
        variation = tf.reduce_sum(a * pairwise_l1_distance(s), axis=(1, 2))
        n_nonzero = tf.math.count_nonzero(a, axis=(1, 2), dtype=s.dtype)
        return variation, n_nonzero

    if graphs.adjacency is None:
        variation, n_nonzero = by_edges()
    else:
        k = tf.shape(s)[-1]
        dense = prefers_dense(graphs.edges, tf.shape(graphs.adjacency), k)
        variation, n_nonzero = tf.cond(dense, by_pairs, by_edges)
    return tf.math.divide_no_nan(variation, 2.0 * n_nonzero)


def resolve_rho(rho, k):
    """ρ of the asymmetric norm; the papers' default is K − 1."""
    return float(k - 1) if rho is None else float(rho)


def asymmetric_norm_loss(s, graphs, rho=None):
    """L_AN = (β − Σ_k ‖s_k − quant_ρ(s_k)‖_{1,ρ}) / β ([002] eqs. 13, 15, 16).

    quant_ρ(s_k) is the (q+1)-th largest entry of column k over the graph's
    true nodes, q = ⌊N/(ρ+1)⌋; ‖x‖_{1,ρ} = Σ ρx for x ≥ 0 and −x otherwise;
    β = Nρ·min(1, K/(ρ+1)), which is Nρ for the default ρ = K − 1.
    """
    k = s.shape[-1]
    rho = resolve_rho(rho, k)
    dtype = s.dtype
    node_mask = graphs.node_mask
    n_nodes = tf.reduce_sum(node_mask, axis=1)
    q = tf.cast(tf.floor(n_nodes / (rho + 1.0)), tf.int32)

    s_t = tf.linalg.matrix_transpose(s)  # (B, K, n_max)
    valid = tf.broadcast_to(node_mask[:, None, :] > 0, tf.shape(s_t))
    quantile = descending_order_statistic(s_t, q[:, None], valid)  # (B, K)

    deviation = s - quantile[:, None, :]
    asym = tf.where(deviation >= 0, rho * deviation, -deviation)
    asym_norm = tf.reduce_sum(asym * node_mask[..., None], axis=(1, 2))
    beta = n_nodes * rho * min(1.0, k / (rho + 1.0))
    return tf.math.divide_no_nan(beta - asym_norm, tf.cast(beta, dtype))


def _sorted_order_statistic(values, rank, valid):
    """`descending_order_statistic` by a full sort (the XLA path)."""
    n = tf.shape(values)[-1]
    lowest = tf.constant(float("-inf"), values.dtype)
    # The order is found without gradient (XLA cannot compile top_k's gradient
    # for a k known only at run time); the gradient reaches the entry picked.
    order = tf.math.top_k(tf.stop_gradient(tf.where(valid, values, lowest)), k=n).indices
    rank = tf.broadcast_to(tf.cast(rank, tf.int32), tf.shape(values)[:-1])
    batch_dims = len(values.shape) - 1
    position = tf.clip_by_value(rank, 0, tf.maximum(n - 1, 0))
    index = tf.gather(order, position[..., None], batch_dims=batch_dims)
    return tf.gather(values, index, batch_dims=batch_dims)[..., 0]


# Order statistics by radix selection: the bits of a float, read as an
# unsigned integer with the sign bit flipped (all bits for negatives), sort
# like the float. A histogram of the top 8 bits finds the bucket that holds
# the wanted rank; the few entries in it are gathered and the next 8 bits
# looked at, four times in all. O(N) per row, where `tf.math.top_k` with
# k = N sorts (O(N log N), and its gradient scatters N values per row).
_DIGIT_BITS = 8
_N_DIGITS = 2**_DIGIT_BITS


def _order_preserving_keys(values):
    bits = tf.bitcast(tf.cast(values, tf.float32), tf.uint32)
    negative = tf.bitwise.right_shift(bits, 31) > 0
    flip = tf.where(
        negative, tf.constant(0xFFFFFFFF, tf.uint32), tf.constant(0x80000000, tf.uint32)
    )
    return tf.bitwise.bitwise_xor(bits, flip)


def _digit(keys, position):
    """The 8-bit digit of `keys` at `position` (0 is the most significant)."""
    shifted = tf.bitwise.right_shift(keys, 32 - _DIGIT_BITS * (position + 1))
    return tf.cast(tf.bitwise.bitwise_and(shifted, _N_DIGITS - 1), tf.int32)


def _histogram(ids, size):
    if in_xla_context():
        return tf.math.unsorted_segment_sum(tf.ones_like(ids), ids, size)
    return tf.math.bincount(ids, minlength=size, maxlength=size)  # 3x faster on CPU


def _choose_digit(rows, digits, rank, n_rows):
    """Per row, the digit whose bucket holds the entry of descending rank
    `rank` among (rows, digits), and that entry's rank inside the bucket."""
    counts = _histogram(rows * _N_DIGITS + digits, n_rows * _N_DIGITS)
    counts = tf.reshape(counts, tf.stack([n_rows, _N_DIGITS]))
    at_or_above = tf.cumsum(counts, axis=1, reverse=True)
    chosen = tf.reduce_sum(tf.cast(at_or_above > rank[:, None], tf.int32), axis=1) - 1
    chosen = tf.maximum(chosen, 0)  # a row without enough entries: any bucket
    above = tf.gather(at_or_above, chosen, batch_dims=1) - tf.gather(counts, chosen, batch_dims=1)
    return chosen, rank - above


def descending_order_statistic(values, rank, valid):
    """The entry of 0-based descending rank `rank` in each row of `values`,
    among the `valid` entries: `top_k(values, rank + 1).values[..., -1]`,
    without sorting. `rank` broadcasts against values[..., 0]; a row with too
    few valid entries returns an arbitrary entry. Differentiable: the
    gradient reaches the entry selected (the first one holding that value).

    Exact for float32 (float64 values are ranked by their float32 rounding).
    Under XLA, whose compilation of the selection's dynamic shapes gave wrong
    ranks (tests/test_training.py, jit against graph mode), a full
    `tf.math.top_k` sort is used instead.
    """
    if in_xla_context():
        return _sorted_order_statistic(values, rank, valid)
    shape = tf.shape(values)
    n = shape[-1]
    flat = tf.reshape(values, tf.stack([-1, n]))
    n_rows = tf.shape(flat)[0]
    valid = tf.reshape(valid, tf.shape(flat))
    rank = tf.reshape(tf.broadcast_to(tf.cast(rank, tf.int32), shape[:-1]), [-1])
    keys = _order_preserving_keys(flat)

    # First digit over every entry; invalid ones go to an extra, ignored row.
    digits = _digit(keys, 0)
    rows = tf.where(valid, tf.range(n_rows)[:, None], n_rows)
    chosen, rank = _choose_digit(
        tf.reshape(rows, [-1]), tf.reshape(digits, [-1]), tf.pad(rank, [[0, 1]]), n_rows + 1
    )
    chosen, rank = chosen[:-1], rank[:-1]
    position = tf.where(tf.logical_and(valid, tf.equal(digits, chosen[:, None])))
    rows, cols = tf.cast(position[:, 0], tf.int32), tf.cast(position[:, 1], tf.int32)
    keys = tf.gather_nd(keys, position)

    # The remaining digits over the candidates left in the chosen buckets.
    for i in range(1, 32 // _DIGIT_BITS):
        digits = _digit(keys, i)
        chosen, rank = _choose_digit(rows, digits, rank, n_rows)
        keep = tf.equal(digits, tf.gather(chosen, rows))
        rows, cols, keys = (tf.boolean_mask(t, keep) for t in (rows, cols, keys))

    index = tf.math.unsorted_segment_min(cols, rows, n_rows)
    index = tf.clip_by_value(index, 0, tf.maximum(n - 1, 0))
    picked = tf.gather(flat, index, batch_dims=1)
    return tf.reshape(picked, shape[:-1])
