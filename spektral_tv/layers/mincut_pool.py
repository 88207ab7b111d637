"""MinCutPool layer."""

import tensorflow as tf
import tf_keras as keras

from spektral_tv.layers.assignment_pool import AssignmentPool
from spektral_tv.ops.graph import safe_rsqrt
from spektral_tv.ops.losses import coarsen_adjacency, mincut_loss, orthogonality_loss


def normalize_pooled_adjacency(a_pool):
    """Â = A_pool with a zero diagonal, then D̂^-½ Â D̂^-½ (zero degree -> 0)."""
    a_hat = tf.linalg.set_diag(a_pool, tf.zeros_like(tf.linalg.diag_part(a_pool)))
    inv_sqrt_degree = safe_rsqrt(tf.reduce_sum(a_hat, axis=-1))
    return a_hat * inv_sqrt_degree[..., :, None] * inv_sqrt_degree[..., None, :]


@keras.saving.register_keras_serializable(package="spektral_tv")
class MinCutPool(AssignmentPool):
    r"""
    The MinCut pooling layer from the paper

    > [Spectral Clustering with Graph Neural Networks for Graph Pooling](https://arxiv.org/abs/1907.00481)<br>
    > Filippo Maria Bianchi et al. (ICML 2020)

    **Mode**: single, disjoint, batch (with a Keras mask, e.g. from
    `spektral.layers.GraphMasking`).

    This layer learns a soft clustering of the input graph as follows:
    $$
        \begin{align}
            \S &= \textrm{softmax}\left(\textrm{MLP}(\X) / \tau\right); \\
            \X' &= \S^\top \X; \\
            \A' &= \hat\D^{-1/2} \hat\A \hat\D^{-1/2}, \quad
            \hat\A = \S^\top \A \S - \textrm{diag}(\S^\top \A \S),
        \end{align}
    $$
    where the MLP has a softmax output of K units and \(\tau\) is the
    temperature. Two auxiliary losses are added with `add_loss` and logged as
    `cut_loss` and `ortho_loss` (`<loss_prefix>_cut_loss` with a
    `loss_prefix`):
    $$
        L_c = - \frac{ \mathrm{Tr}(\S^\top \A \S) }{ \mathrm{Tr}(\S^\top \D \S) },
        \qquad
        L_o = \left\| \frac{\S^\top \S}{\| \S^\top \S \|_F}
              - \frac{\I_K}{\sqrt{K}} \right\|_F,
    $$
    with \(\D = \textrm{diag}(\A \mathbf{1})\). In disjoint and batch mode each
    graph gets its own K clusters and the losses are averaged over the graphs
    that have nodes, each computed on the graph's true nodes and edges only
    (an empty graph pools to zeros). Memory is
    O(E·K + N·K): \(\S^\top \A \S\) is computed through the edge list.

    **Input**

    - Node features of shape `(N, F)` (single, disjoint) or `(B, N, F)` (batch);
    - Adjacency of shape `(N, N)`, dense or `tf.SparseTensor` (single,
    disjoint: block-diagonal), or dense `(B, N, N)` (batch), non-negative.
    Pass the adjacency the loss should cut (the paper uses the normalized
    one);
    - Graph index `i` of shape `(N,)` (disjoint mode only).

    **Output**

    - Pooled features of shape `(K, F)`, `(B·K, F)` or `(B, K, F)`;
    - Pooled adjacency of shape `(K, K)` (dense), `(B·K, B·K)` (sparse,
    block-diagonal) or `(B, K, K)`;
    - Pooled graph index of shape `(B·K,)` (disjoint mode only);
    - If `return_selection=True`, the assignments S with the input's node
    layout: `(N, K)` or `(B, N, K)` (zero rows at padded nodes).

    **Arguments**

    - `k`: number of clusters (per graph), at least 2;
    - `mlp_hidden`: list of hidden units of the MLP (none by default);
    - `mlp_activation`: activation of the hidden MLP layers;
    - `temperature`: softmax temperature, > 0 (lower gives crisper S);
    - `return_selection`: also return S;
    - `loss_prefix`: a string; the losses are then logged as
    `<loss_prefix>_cut_loss` and `<loss_prefix>_ortho_loss` (needed when
    two MinCutPools are in one model);
    - `use_bias`, `kernel_initializer`, `bias_initializer`,
    `kernel_regularizer`, `bias_regularizer`, `kernel_constraint`,
    `bias_constraint`: of the MLP's Dense layers.
    """

    loss_names = ("cut_loss", "ortho_loss")

    def connect(self, a, s, graphs=None):
        a_pool = coarsen_adjacency(s, graphs)
        self.add_auxiliary_loss("cut_loss", mincut_loss(s, graphs, a_pool=a_pool), graphs)
        self.add_auxiliary_loss("ortho_loss", orthogonality_loss(s), graphs)
        return normalize_pooled_adjacency(a_pool)
