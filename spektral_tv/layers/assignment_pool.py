"""Common machinery of the soft-assignment pools (MinCutPool, AsymCheegerCutPool).

Both compute S = softmax(MLP(X) / temperature), pool X_pool = SᵀX and
A_pool = SᵀAS, and add auxiliary losses. What differs is the losses and the
post-processing of A_pool, which subclasses provide in `connect`.
"""
import tensorflow as tf
import tf_keras as keras
from spektral.layers.pooling.src import SRCPool

from spektral_tv.ops.graph import (
    BATCH,
    SINGLE,
    block_diagonal,
    flatten_padded,
    node_mask_from_keras,
    scatter_to_padded,
    to_padded,
)
from spektral_tv.ops.validation import (
    check_graph_inputs,
    check_positive_float,
    check_positive_int,
    graph_index,
    split_inputs,
)


def _fresh(initializer):
    return keras.initializers.deserialize(keras.initializers.serialize(initializer))


def _connected_layers(tensors):
    """Every layer of the Functional graph that the symbolic `tensors` belong to."""
    stack = [
        t._keras_history.layer
        for t in tf.nest.flatten(tensors)
        if getattr(t, "_keras_history", None) is not None
    ]
    seen = {}
    while stack:
        layer = stack.pop()
        if id(layer) in seen:
            continue
        seen[id(layer)] = layer
        for node in getattr(layer, "_inbound_nodes", []):
            stack.extend(
                kt._keras_history.layer
                for kt in node.keras_inputs
                if getattr(kt, "_keras_history", None) is not None
            )
        stack.extend(node.layer for node in getattr(layer, "_outbound_nodes", []))
    return list(seen.values())


class AuxiliaryLossMixin:
    """Adds auxiliary losses with `add_loss` and logs each under its own name.

    A loss is logged as e.g. ``cut_loss``; when another layer of the same
    Functional model logs a loss of the same name, both are renamed with their
    layer's name as prefix (``pool_1_cut_loss``), so `History` keeps them apart.
    """

    loss_names = ()

    def _aux_metric_name(self, name):
        names = self.__dict__.setdefault("_aux_metric_names", {})
        return names.setdefault(name, name)

    def _prefix_aux_metrics(self):
        names = self.__dict__.setdefault("_aux_metric_names", {})
        for base, current in list(names.items()):
            prefixed = f"{self.name}_{base}"
            if current == prefixed:
                continue
            names[base] = prefixed
            for metric in self._metrics:
                if metric.name == current:
                    metric._name = prefixed

    def _resolve_aux_metric_names(self, inputs, loss_names):
        """Prefix colliding names across the Functional graph being built."""
        for layer in _connected_layers(inputs):
            if layer is self or not isinstance(layer, AuxiliaryLossMixin):
                continue
            other = getattr(layer, "_aux_metric_names", {})
            if set(other) & set(loss_names):
                for base in loss_names:
                    self._aux_metric_name(base)
                self._prefix_aux_metrics()
                layer._prefix_aux_metrics()

    def __call__(self, inputs, *args, **kwargs):
        # Inside `call` a Functional graph's inputs are plain placeholders;
        # only here do they still carry their Keras history.
        self._resolve_aux_metric_names(inputs, self.loss_names)
        return super().__call__(inputs, *args, **kwargs)

    def add_auxiliary_loss(self, name, per_graph_loss, coefficient=1.0):
        """Mean over graphs; the weighted value is minimized, the raw one logged."""
        value = tf.reduce_mean(per_graph_loss)
        self.add_loss(coefficient * value if coefficient != 1.0 else value)
        self.add_metric(value, name=self._aux_metric_name(name), aggregation="mean")
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
        self.mlp_hidden = [
            check_positive_int(units, "mlp_hidden") for units in (mlp_hidden or [])
        ]
        self.mlp_activation = mlp_activation
        self.temperature = check_positive_float(temperature, "temperature")
        self.use_bias = bool(use_bias)

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
        i = graph_index(i)
        mode = check_graph_inputs(x, a, i, self.name)
        self.n_nodes = tf.shape(x)[-2]
        if isinstance(x, tf.SparseTensor):
            x = tf.sparse.to_dense(x)
        node_mask = node_mask_from_keras(mask, x) if mode == BATCH else None
        x_pad, graphs = to_padded((x, a), mode, i, node_mask)
        x_pool, a_pool, i_pool, s = self.pool(
            x, a, i, x_pad=x_pad, graphs=graphs, mode=mode
        )
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
            return s * graphs.node_mask[..., None]
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
        }
        return {**super().get_config(), **config}
