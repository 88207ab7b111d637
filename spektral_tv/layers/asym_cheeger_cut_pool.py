"""Asymmetric Cheeger cut pooling layer."""

import tensorflow as tf
import tf_keras as keras

from spektral_tv.layers.assignment_pool import AssignmentPool
from spektral_tv.ops.losses import (
    asymmetric_norm_loss,
    coarsen_adjacency,
    total_variation_loss,
)
from spektral_tv.ops.validation import check_non_negative_float, check_positive_float


@keras.saving.register_keras_serializable(package="spektral_tv")
class AsymCheegerCutPool(AssignmentPool):
    r"""
    The Asymmetric Cheeger cut pooling layer from the paper

    > [Total Variation Graph Neural Networks](https://arxiv.org/abs/2211.06218)<br>
    > Jonas Berg Hansen and Filippo Maria Bianchi (ICML 2023)

    **Mode**: single, disjoint, batch (with a Keras mask, e.g. from
    `spektral.layers.GraphMasking`).

    This layer learns a soft clustering of the input graph as follows:
    $$
        \S = \textrm{softmax}\left(\textrm{MLP}(\X) / \tau\right); \quad
        \X' = \S^\top \X; \quad \A' = \S^\top \A \S,
    $$
    with no post-processing of \(\A'\) (GTVConv ignores its self-loops). Two
    auxiliary losses are added with `add_loss`, weighted by \(\alpha_1\)
    (`totvar_coeff`) and \(\alpha_2\) (`balance_coeff`), and logged unweighted
    as `tv_loss` and `balance_loss` (`<loss_prefix>_tv_loss` with a
    `loss_prefix`):
    $$
        L_{GTV} = \frac{1}{2E} \sum_{k=1}^K \sum_{i<j} a_{ij} |s_{ik} - s_{jk}|,
        \qquad
        L_{AN} = \frac{\beta - \sum_{k=1}^K
            \| \s_{:,k} - \textrm{quant}_\rho(\s_{:,k}) \|_{1,\rho}}{\beta},
    $$
    where E is the number of undirected edges, \(\textrm{quant}_\rho\) the
    (⌊N/(ρ+1)⌋+1)-th largest value, \(\|x\|_{1,\rho} = \sum_i \rho x_i\) for
    \(x_i \ge 0\) and \(-x_i\) otherwise, and
    \(\beta = N\rho\min(1, K/(\rho+1))\) (= Nρ for the default ρ = K − 1).
    In disjoint and batch mode the losses use each graph's true N and E and are
    averaged over the graphs that have nodes (an empty graph pools to zeros).

    **Input**

    - Node features of shape `(N, F)` (single, disjoint) or `(B, N, F)` (batch);
    - Adjacency of shape `(N, N)`, dense or `tf.SparseTensor` (single,
    disjoint: block-diagonal), or dense `(B, N, N)` (batch), non-negative;
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
    - `totvar_coeff`: \(\alpha_1 \ge 0\), weight of the GTV loss;
    - `balance_coeff`: \(\alpha_2 \ge 0\), weight of the balance loss;
    - `rho`: \(\rho > 0\) of the asymmetric norm; `None` means K − 1;
    - `temperature`: softmax temperature, > 0;
    - `return_selection`: also return S;
    - `loss_prefix`: a string; the losses are then logged as
    `<loss_prefix>_tv_loss` and `<loss_prefix>_balance_loss` (needed when
    two AsymCheegerCutPools are in one model);
    - `use_bias`, `kernel_initializer`, `bias_initializer`,
    `kernel_regularizer`, `bias_regularizer`, `kernel_constraint`,
    `bias_constraint`: of the MLP's Dense layers.
    """

    loss_names = ("tv_loss", "balance_loss")

    def __init__(
        self,
        k,
        mlp_hidden=None,
        mlp_activation="relu",
        totvar_coeff=1.0,
        balance_coeff=1.0,
        rho=None,
        temperature=1.0,
        return_selection=False,
        **kwargs,
    ):
        super().__init__(
            k,
            mlp_hidden=mlp_hidden,
            mlp_activation=mlp_activation,
            temperature=temperature,
            return_selection=return_selection,
            **kwargs,
        )
        self.totvar_coeff = check_non_negative_float(totvar_coeff, "totvar_coeff")
        self.balance_coeff = check_non_negative_float(balance_coeff, "balance_coeff")
        self.rho = check_positive_float(rho, "rho", allow_none=True)

    def connect(self, a, s, graphs=None):
        tv_loss = total_variation_loss(s, graphs)
        # Graphs of zero nodes (n_max = 0) have no quantile to take.
        balance_loss = tf.cond(
            tf.convert_to_tensor(graphs.n_max) > 0,
            lambda: asymmetric_norm_loss(s, graphs, rho=self.rho),
            lambda: tf.zeros(tf.shape(s)[:1], s.dtype),
        )
        self.add_auxiliary_loss("tv_loss", tv_loss, graphs, self.totvar_coeff)
        self.add_auxiliary_loss("balance_loss", balance_loss, graphs, self.balance_coeff)
        return coarsen_adjacency(s, graphs)

    def get_config(self):
        config = {
            "totvar_coeff": self.totvar_coeff,
            "balance_coeff": self.balance_coeff,
            "rho": self.rho,
        }
        return {**super().get_config(), **config}
