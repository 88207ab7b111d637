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

from spektral_tv.ops.graph import degrees, flatten_padded, per_graph_sum, propagate


def coarsen_adjacency(s, graphs):
    """Sᵀ A S per graph, (B, K, K), through the edge list: O(E·K) memory."""
    s_flat = flatten_padded(s)
    a_s = propagate(graphs.edges, s_flat, tf.shape(s_flat)[0])
    a_s = tf.reshape(a_s, tf.shape(s))
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
    edges = graphs.edges
    s_flat = flatten_padded(s)
    n_flat = tf.shape(s_flat)[0]
    abs_diff = tf.reduce_sum(
        tf.abs(tf.gather(s_flat, edges.src) - tf.gather(s_flat, edges.dst)), axis=-1
    )
    variation = tf.math.unsorted_segment_sum(edges.weight * abs_diff, edges.src, n_flat)
    nonzero = tf.cast(tf.not_equal(edges.weight, 0), s.dtype)
    n_nonzero = tf.math.unsorted_segment_sum(nonzero, edges.src, n_flat)
    return tf.math.divide_no_nan(
        per_graph_sum(variation, graphs), 2.0 * per_graph_sum(n_nonzero, graphs)
    )


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

    # Padded entries get −1 so that they sort below every assignment in [0, 1].
    s_t = tf.linalg.matrix_transpose(s)
    scores = tf.where(node_mask[:, None, :] > 0, s_t, -tf.ones_like(s_t))
    n_max = tf.shape(scores)[-1]
    descending = tf.math.top_k(scores, k=n_max, sorted=True).values
    quantile = tf.gather(descending, q, axis=2, batch_dims=1)  # (B, K)

    deviation = s - quantile[:, None, :]
    asym = tf.where(deviation >= 0, rho * deviation, -deviation)
    asym_norm = tf.reduce_sum(asym * node_mask[..., None], axis=(1, 2))
    beta = n_nodes * rho * min(1.0, k / (rho + 1.0))
    return tf.math.divide_no_nan(beta - asym_norm, tf.cast(beta, dtype))
