"""Unpooling layers: the transposed pooling of the MinCutPool paper's eq. 8 for soft
assignments, and the scatter-back unpooling of Top-K (Gao & Ji)."""

import tensorflow as tf
import tf_keras as keras


@keras.saving.register_keras_serializable(package="spektral_tv")
class AssignmentUnpool(keras.layers.Layer):
    r"""
    Unpooling by the transpose of a soft cluster assignment, from the paper

    > [Spectral Clustering with Graph Neural Networks for Graph Pooling](https://arxiv.org/abs/1907.00481)<br>
    > Filippo Maria Bianchi et al. (ICML 2020), eq. 8

    **Mode**: single, batch.

    Brings a graph pooled with a cluster assignment S (MinCutPool,
    AsymCheegerCutPool, DiffPool) back to its original size:
    $$
        \X_{rec} = \S \X_{pool}; \qquad \A_{rec} = \S \A_{pool} \S^\top.
    $$

    **Input**

    - Pooled features of shape `(K, F)` or `(B, K, F)`;
    - Pooled adjacency of shape `(K, K)` or `(B, K, K)`, dense or
    `tf.SparseTensor`;
    - Assignments S of shape `(N, K)` or `(B, N, K)` (the pool's output with
    `return_selection=True`).

    **Output**

    - Reconstructed features of shape `(N, F)` or `(B, N, F)`;
    - Reconstructed adjacency of shape `(N, N)` or `(B, N, N)`, dense: it
    takes O(N²) memory, like the dense product it is.
    """

    def call(self, inputs):
        x_pool, a_pool, s = inputs
        if isinstance(a_pool, tf.SparseTensor):
            a_pool = tf.sparse.to_dense(a_pool)
        x_rec = tf.matmul(s, x_pool)
        a_rec = tf.matmul(tf.matmul(s, a_pool), s, transpose_b=True)
        return [x_rec, a_rec]


@keras.saving.register_keras_serializable(package="spektral_tv")
class TopKUnpool(keras.layers.Layer):
    r"""
    The unpooling (gUnpool) of Top-K pooling, from the paper

    > [Graph U-Nets](https://arxiv.org/abs/1905.05178)<br>
    > Hongyang Gao and Shuiwang Ji

    **Mode**: single.

    Puts the K kept nodes back at their places in the original graph, zero
    features at the dropped nodes. With M the (K, N) selection matrix of the
    kept nodes (in increasing node order, as Spektral's `TopKPool` keeps
    them):
    $$
        \X_{rec} = \M^\top \X_{pool}; \qquad \A_{rec} = \M^\top \A_{pool} \M.
    $$

    **Input**

    - Pooled features of shape `(K, F)`;
    - Pooled adjacency of shape `(K, K)`, dense or `tf.SparseTensor`;
    - The selection mask of shape `(N,)`, non-zero at the kept nodes
    (Spektral's `TopKPool(..., return_selection=True)`).

    **Output**

    - Reconstructed features of shape `(N, F)`;
    - Reconstructed adjacency of shape `(N, N)`, sparse if `a_pool` is.
    """

    def call(self, inputs):
        x_pool, a_pool, mask = inputs
        n_nodes = tf.shape(mask, out_type=tf.int64)[0]
        kept = tf.where(tf.not_equal(mask, 0))[:, 0]  # increasing node ids
        x_rec = tf.scatter_nd(
            kept[:, None],
            x_pool,
            tf.stack([n_nodes, tf.shape(x_pool, out_type=tf.int64)[-1]]),
        )
        if isinstance(a_pool, tf.SparseTensor):
            indices = tf.gather(kept, a_pool.indices)
            a_rec = tf.SparseTensor(indices, a_pool.values, tf.stack([n_nodes, n_nodes]))
        else:
            pairs = tf.stack(tf.meshgrid(kept, kept, indexing="ij"), axis=-1)
            a_rec = tf.scatter_nd(pairs, a_pool, tf.stack([n_nodes, n_nodes]))
        return [x_rec, a_rec]
