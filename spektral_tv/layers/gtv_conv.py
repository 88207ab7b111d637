"""GTVConv layer."""

import tensorflow as tf
import tf_keras as keras
from spektral.layers.convolutional.conv import Conv

from spektral_tv.ops.graph import (
    BATCH,
    dense_gtv_step,
    edges_from_adjacency,
    edges_from_batch,
    edges_in_branch,
    gtv_step,
    prefers_dense,
    sparse_features_matmul,
    stored_entries,
)
from spektral_tv.ops.validation import (
    batch_node_mask,
    check_graph_index,
    check_graph_inputs,
    check_graph_values,
    check_non_negative_float,
    check_positive_float,
    check_positive_int,
    graph_index,
    split_inputs,
    zero_padded_rows,
)


def default_kernel_initializer():
    """GTVConv's default kernel initializer: a new
    `VarianceScaling(2.0, "fan_out", "untruncated_normal")`, i.e. weights drawn
    from N(0, 2/channels) — PyTorch's `kaiming_normal_` on the (in, out) weight
    of the TVGNN authors' reference, which takes its fan from the second
    dimension."""
    return keras.initializers.VarianceScaling(
        scale=2.0, mode="fan_out", distribution="untruncated_normal"
    )


@keras.saving.register_keras_serializable(package="spektral_tv")
class GTVConv(Conv):
    r"""
    A graph total variation convolutional layer (GTVConv) from the paper

    > [Total Variation Graph Neural Networks](https://arxiv.org/abs/2211.06218)<br>
    > Jonas Berg Hansen and Filippo Maria Bianchi (ICML 2023)

    **Mode**: single, disjoint, batch (with a Keras mask, e.g. from
    `spektral.layers.GraphMasking`).

    This layer computes one gradient step on the graph total variation of the
    transformed features \(\tilde\X = \X\W\):
    $$
        \X' = \sigma\left[ \left(\I - \delta \hat\L_\Gamma\right) \tilde\X + \b \right],
        \qquad \hat\L_\Gamma = \hat\D_\Gamma - \hat\Gamma,
        \qquad [\hat\Gamma]_{ij} = \frac{a_{ij}}{\max\{\|\tilde\x_i - \tilde\x_j\|_1, \epsilon\}},
    $$
    with \(\hat\D_\Gamma = \textrm{diag}(\hat\Gamma \mathbf{1})\); self-loops
    cancel out of \(\hat\L_\Gamma\). `delta_coeff` is the multiplier
    \(\delta\) of \(\hat\L_\Gamma\) (the paper's tables list \(2\delta\): pass
    that value). With `degree_normalized=True` it is the degree-weighted
    variant of the paper's App. A.4:
    \((\I - \delta \D^{-1/2} \hat\L_\Gamma \D^{-1/2}) \tilde\X\) with
    \(\gamma_{ij} = a_{ij} / \max\{\epsilon, \|\sqrt{a_{ij}}(\tilde\x_i/\sqrt{d_i}
    - \tilde\x_j/\sqrt{d_j})\|_1\}\) and \(\D = \textrm{diag}(\A\mathbf{1})\).

    **Feature scale matters.** Each term \(\gamma_{ij}(\tilde\x_i - \tilde\x_j)\)
    has L1 norm \(a_{ij}\) whatever the scale of \(\tilde\X\), so one step moves
    a node by about \(\delta d_i / F'\) per channel: a fixed-length total
    variation step, not a scale-free average. The paper's settings
    (\(2\delta = 0.311\), 512 channels) smooth row-normalized bag-of-words
    features (Cora: \(|\tilde x| \approx 0.01\)); features of order one (raw
    noisy coordinates, standardized data) are barely smoothed and need to be
    scaled down first (the denoising script of this package multiplies them
    by 0.003), while features so small that \(\delta \hat d_\Gamma \gg 1\) make
    the step overshoot.

    The layer works on the edge list of \(\A\): memory and time are O(E·F'),
    never O(N²·F') for a sparse graph. A batch without padding in which at
    least half of the node pairs are edges (pooled graphs) is worked on as
    dense (B, N, N) tensors, faster and within the same memory budget
    (`spektral_tv.ops.graph.prefers_dense`). With a `tf.SparseTensor`
    adjacency it compiles with XLA.

    **Input**

    - Node features of shape `(N, F)` (dense or `tf.SparseTensor`; single,
    disjoint) or `(B, N, F)` (batch);
    - Adjacency of shape `(N, N)`, dense or `tf.SparseTensor` (single,
    disjoint: block-diagonal), or dense `(B, N, N)` (batch), non-negative;
    - Disjoint mode needs no graph index (`[x, a, i]` is accepted, `i` unused).

    **Output**

    - Node features with the same shape as the input, but with the last
    dimension changed to `channels`; rows of padded nodes are zero.

    **Arguments**

    - `channels`: number of output channels;
    - `delta_coeff`: step size \(\delta \ge 0\) of the gradient descent step;
    - `epsilon`: small constant > 0 that bounds the edge weights \(\gamma\);
    - `degree_normalized`: use the degree-weighted variant (App. A.4);
    - `activation`: activation function;
    - `use_bias`: bool, add a bias vector to the output;
    - `kernel_initializer`: initializer for the weights; `None` (the default)
    is `default_kernel_initializer()`, He-normal over the fan-out, untruncated:
    \(\mathcal{N}(0, 2/F')\), what the TVGNN authors' PyTorch reference draws.
    Because the step has a fixed length, the kernel scale sets how much a
    layer smooths: with row-normalized features this draw makes the first
    step move \(\tilde\X\) by about a fifth of its size whatever the
    input dimension F (fan-in He-normal: a third on Cora, three fifths on
    Citeseer), and it is the one with which the paper's clustering
    results are reached;
    - `bias_initializer`, `kernel_regularizer`, `bias_regularizer`,
    `activity_regularizer`, `kernel_constraint`, `bias_constraint`.
    """

    def __init__(
        self,
        channels,
        delta_coeff=1.0,
        epsilon=1e-3,
        degree_normalized=False,
        activation=None,
        use_bias=True,
        kernel_initializer=None,
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        if kernel_initializer is None:
            kernel_initializer = default_kernel_initializer()
        super().__init__(
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )
        self.channels = check_positive_int(channels, "channels")
        self.delta_coeff = check_non_negative_float(delta_coeff, "delta_coeff")
        self.epsilon = check_positive_float(epsilon, "epsilon")
        self.degree_normalized = bool(degree_normalized)

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) not in (2, 3):
            raise ValueError(
                f"{self.name} expects a list [x, a] or [x, a, i], got one input of "
                f"shape {input_shape}."
            )
        x_shape = tf.TensorShape(input_shape[0])
        if x_shape.rank not in (2, 3):
            raise ValueError(
                f"{self.name}: `x` must have rank 2 (single/disjoint mode) or 3 "
                f"(batch mode), got shape {x_shape}."
            )
        input_dim = x_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"{self.name}: the last dimension of `x` (number of features) must be known."
            )
        self.kernel = self.add_weight(
            shape=(input_dim, self.channels),
            initializer=self.kernel_initializer,
            name="kernel",
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.channels,),
                initializer=self.bias_initializer,
                name="bias",
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        self.built = True

    def call(self, inputs, mask=None):
        x, a, i = split_inputs(inputs, self.name)
        mode = check_graph_inputs(x, a, i, self.name)
        check_graph_index(graph_index(i), self.name)  # unused, but must be valid
        node_mask = None
        if mode == BATCH:
            node_mask = batch_node_mask(mask, x, self.name)
            if node_mask is not None:
                x = zero_padded_rows(x, node_mask)
            edges = edges_from_batch(a, node_mask, x.dtype)
        else:
            edges = edges_from_adjacency(a, x.dtype)
        check_graph_values(x, edges.weight, self.name, node_mask)

        if isinstance(x, tf.SparseTensor):
            features = sparse_features_matmul(x, self.kernel)
        else:
            features = tf.matmul(x, self.kernel)
        if mode == BATCH:

            def by_edges():
                flat = self._aggregate(
                    tf.reshape(features, [-1, self.channels]), edges_in_branch(edges)
                )
                return tf.reshape(flat, tf.shape(features))

            def by_pairs():
                dense_a = stored_entries(a, features.dtype)
                return dense_gtv_step(
                    features, dense_a, self.delta_coeff, self.epsilon, self.degree_normalized
                )

            if node_mask is None:  # see `spektral_tv.ops.graph.DENSE_MIN_FILL`
                dense = prefers_dense(edges, tf.shape(a), self.channels)
                output = tf.cond(dense, by_pairs, by_edges)
            else:
                output = by_edges()
        else:
            output = self._aggregate(features, edges)

        if self.use_bias:
            output = tf.nn.bias_add(output, self.bias)
        output = self.activation(output)
        if node_mask is not None:
            output = zero_padded_rows(output, node_mask)
        return output

    def _aggregate(self, features, edges):
        return gtv_step(
            features,
            edges,
            tf.shape(features)[0],
            self.delta_coeff,
            self.epsilon,
            self.degree_normalized,
        )

    @property
    def config(self):
        return {
            "channels": self.channels,
            "delta_coeff": self.delta_coeff,
            "epsilon": self.epsilon,
            "degree_normalized": self.degree_normalized,
        }
