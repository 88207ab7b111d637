"""Common machinery of the soft-assignment pools (MinCutPool, AsymCheegerCutPool).

Both compute S = softmax(MLP(X) / temperature), pool X_pool = SᵀX and
A_pool = SᵀAS, and add auxiliary losses. What differs is the losses and the
post-processing of A_pool, which subclasses provide in `connect`.
"""

import weakref

import tensorflow as tf
import tf_keras as keras
from spektral.layers.pooling.src import SRCPool

from spektral_tv.ops.graph import (
    BATCH,
    SINGLE,
    block_diagonal,
    flatten_padded,
    scatter_to_padded,
    to_padded,
)
from spektral_tv.ops.validation import (
    batch_node_mask,
    check_graph_index,
    check_graph_inputs,
    check_graph_values,
    check_positive_float,
    check_positive_int,
    graph_index,
    split_inputs,
    zero_padded_rows,
)


def _fresh(initializer):
    return keras.initializers.deserialize(keras.initializers.serialize(initializer))


# Names logged in each traced graph (a `model.fit` step): name -> id of the layer.
_LOGGED_NAMES = weakref.WeakKeyDictionary()


class AuxiliaryLossMixin:
    """Adds auxiliary losses with `add_loss` and logs each under its own name.

    A loss is logged as e.g. ``cut_loss``, or ``<loss_prefix>_cut_loss`` when
    the layer has a `loss_prefix`. Keras's `History` keeps one value per name,
    so two layers that log the same name in one traced step (`model.fit`,
    `evaluate`, `predict`, any `tf.function`) raise a `ValueError` asking for a
    `loss_prefix`.
    """

    loss_names = ()

    def logged_name(self, name):
        """The name under which the loss `name` shows in `History`."""
        return f"{self.loss_prefix}_{name}" if self.loss_prefix else name

    def _claim(self, name):
        if tf.executing_eagerly():
            return
        owners = _LOGGED_NAMES.setdefault(tf.compat.v1.get_default_graph(), {})
        if owners.setdefault(name, id(self)) != id(self):
            raise ValueError(
                f"{self.name}: another layer of the model already logs `{name}`, "
                "and History would keep only one of them: give the layers "
                'different `loss_prefix` values (e.g. loss_prefix="pool1").'
            )

    def add_auxiliary_loss(self, name, per_graph_loss, graphs, coefficient=1.0):
        """Mean over the graphs that have nodes (empty ones add nothing); the
        weighted value is minimized, the raw one logged."""
        has_nodes = tf.reduce_sum(graphs.node_mask, axis=1) > 0
        total = tf.reduce_sum(tf.where(has_nodes, per_graph_loss, tf.zeros_like(per_graph_loss)))
        count = tf.reduce_sum(tf.cast(has_nodes, total.dtype))
        value = tf.math.divide_no_nan(total, count)
        self.add_loss(coefficient * value if coefficient != 1.0 else value)
        logged = self.logged_name(name)
        self._claim(logged)
        self.add_metric(value, name=logged, aggregation="mean")
        return value


class AssignmentPool(AuxiliaryLossMixin, SRCPool):
    r"""Base class of pools with a dense soft assignment computed by an MLP.

    Subclasses implement `connect(a, s, graphs=None)`, which returns A_pool of
    shape (B, K, K) and adds the auxiliary losses, and list the names of those
    losses in `loss_names`.
    """

    def __init__(
        self,
        k,
        mlp_hidden=None,
        mlp_activation="relu",
        temperature=1.0,
        return_selection=False,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        loss_prefix=None,
        **kwargs,
    ):
        super().__init__(
            return_selection=return_selection,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )
        self.k = check_positive_int(k, "k", minimum=2)
        self.mlp_hidden = [check_positive_int(units, "mlp_hidden") for units in (mlp_hidden or [])]
        self.mlp_activation = mlp_activation
        self.temperature = check_positive_float(temperature, "temperature")
        self.use_bias = bool(use_bias)
        if loss_prefix is not None and not isinstance(loss_prefix, str):
            raise ValueError(f"`loss_prefix` must be a string or None, got {loss_prefix!r}.")
        self.loss_prefix = loss_prefix or None

    def _dense(self, units, activation=None):
        # A fresh initializer per layer: a shared instance would give layers
        # of the same shape identical initial weights.
        return keras.layers.Dense(
            units,
            activation,
            use_bias=self.use_bias,
            kernel_initializer=_fresh(self.kernel_initializer),
            bias_initializer=_fresh(self.bias_initializer),
            kernel_regularizer=self.kernel_regularizer,
            bias_regularizer=self.bias_regularizer,
            kernel_constraint=self.kernel_constraint,
            bias_constraint=self.bias_constraint,
            dtype=self.dtype_policy,
        )

    def build(self, input_shape):
        self.mlp = keras.Sequential(
            [self._dense(units, self.mlp_activation) for units in self.mlp_hidden]
            + [self._dense(self.k)],
            name="mlp",
        )
        super().build(input_shape)

    def call(self, inputs, mask=None):
        x, a, i = split_inputs(inputs, self.name)
        mode = check_graph_inputs(x, a, i, self.name)
        i = check_graph_index(graph_index(i), self.name)
        self.n_nodes = tf.shape(x)[-2]
        if isinstance(x, tf.SparseTensor):
            x = tf.sparse.to_dense(x)
        node_mask = None
        if mode == BATCH:
            node_mask = batch_node_mask(mask, x, self.name)
            if node_mask is not None:
                x = zero_padded_rows(x, node_mask)
        x_pad, graphs = to_padded((x, a), mode, i, node_mask)
        check_graph_values(x, graphs.edges.weight, self.name, node_mask)
        x_pool, a_pool, i_pool, s = self.pool(x, a, i, x_pad=x_pad, graphs=graphs, mode=mode)
        return self._format_outputs(mode, x_pool, a_pool, i_pool, s, graphs)

    def get_outputs(self, x_pool, a_pool, i_pool, s):
        # Padded layout, always four parts; `call` formats them for the mode.
        return x_pool, a_pool, i_pool, s

    def assignments(self, x):
        """S = softmax(MLP(X) / temperature), row-stochastic."""
        logits = self.mlp(x)
        if self.temperature != 1.0:
            logits = logits / self.temperature
        return tf.nn.softmax(logits, axis=-1)

    def select(self, x, a, i, graphs=None, mode=None):
        """S in the padded layout (B, n_max, K), zero at padded nodes."""
        s = self.assignments(x)
        if mode == SINGLE:
            return s[None]
        if mode == BATCH:
            return zero_padded_rows(s, graphs.node_mask)
        return scatter_to_padded(s, graphs)

    def reduce(self, x, s, x_pad=None):
        """X_pool = Sᵀ X per graph, (B, K, F)."""
        return tf.matmul(s, x_pad, transpose_a=True)

    def reduce_index(self, i, s, graphs=None):
        """K pooled nodes for each graph."""
        return tf.repeat(tf.range(graphs.n_graphs), self.k)

    def _format_outputs(self, mode, x_pool, a_pool, i_pool, s, graphs):
        if mode == SINGLE:
            outputs = [x_pool[0], a_pool[0]]
            s = s[0]
        elif mode == BATCH:
            outputs = [x_pool, a_pool]
        else:
            outputs = [
                tf.reshape(x_pool, tf.stack([-1, tf.shape(x_pool)[-1]])),
                block_diagonal(a_pool),
                i_pool,
            ]
            s = tf.gather(flatten_padded(s), graphs.scatter_index)
        if self.return_selection:
            outputs.append(s)
        return outputs

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        config = {
            "k": self.k,
            "mlp_hidden": self.mlp_hidden,
            "mlp_activation": self.mlp_activation,
            "temperature": self.temperature,
            "use_bias": self.use_bias,
            "loss_prefix": self.loss_prefix,
        }
        return {**super().get_config(), **config}
