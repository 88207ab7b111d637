"""Keras Functional models of the papers' experiments, used by the scripts and
notebooks.

Each builder returns an uncompiled `tf_keras.Model`; the clustering models are
trained with `model.fit` on their pool's auxiliary losses alone.
"""

import spektral_tv  # noqa: F401  (TF_USE_LEGACY_KERAS before TensorFlow)
import numpy as np
import tensorflow as tf
import tf_keras as keras
from spektral.layers import GCSConv

from spektral_tv.hyperparameters import (  # noqa: F401  (re-exported: models.X as before)
    AUTOENCODER,
    AUTOENCODER_POOLS,
    CLASSIFICATION_POOLS,
    DENSE_POOLS,
    MINCUT_CLUSTERING,
    POOL_CLASSIFICATION,
    POOL_MODES,
    TVGNN_CLASSIFICATION,
    TVGNN_CLASSIFICATION_BY_DATASET,
    TVGNN_CLUSTERING,
    classification_defaults,
    pool_sizes,
    table_key,
)
from spektral_tv.initializers import FreshDraws
from spektral_tv.layers import AsymCheegerCutPool, GTVConv, MinCutPool


def _config(defaults, overrides):
    unknown = set(overrides) - set(defaults)
    if unknown:
        raise ValueError(
            f"Unknown hyper-parameter(s) {sorted(unknown)}; expected some of {sorted(defaults)}"
        )
    return {**defaults, **overrides}


def tvgnn_clustering_model(n_features, k, sparse_features=False, **config):
    """TVGNN for vertex clustering (the TVGNN paper, Fig. 3a): GTVConv stack, then
    AsymCheegerCutPool. Inputs [x, a] with `a` the raw adjacency as a
    `tf.SparseTensor`; output the soft assignments S (N, K).

    `config` overrides entries of `TVGNN_CLUSTERING` (the papers' values)."""
    c = _config(TVGNN_CLUSTERING, config)
    x_in = keras.Input((n_features,), sparse=sparse_features, name="x")
    a_in = keras.Input((None,), sparse=True, name="a")
    h = x_in
    for _ in range(c["mp_layers"]):
        h = GTVConv(
            c["mp_channels"],
            delta_coeff=c["delta_coeff"],
            epsilon=c["epsilon"],
            activation=c["mp_activation"],
        )([h, a_in])
    _, _, s = AsymCheegerCutPool(
        k,
        mlp_hidden=list(c["mlp_hidden"]),
        mlp_activation=c["mlp_activation"],
        totvar_coeff=c["totvar_coeff"],
        balance_coeff=c["balance_coeff"],
        return_selection=True,
        name="pool",
    )([h, a_in])
    return keras.Model([x_in, a_in], s, name="tvgnn")


def mincut_clustering_model(n_features, k, sparse_features=False, **config):
    """MinCutPool for vertex clustering (the MinCutPool paper, §5.1): GCSConv layers (eq. 1)
    on the normalized adjacency, then MinCutPool. Inputs [x, a] with `a` the
    normalized adjacency D^-½ A D^-½ as a `tf.SparseTensor`
    (`spektral.layers.GCSConv.preprocess`); output S (N, K).

    `config` overrides entries of `MINCUT_CLUSTERING` (the papers' values)."""
    c = _config(MINCUT_CLUSTERING, config)
    x_in = keras.Input((n_features,), sparse=sparse_features, name="x")
    a_in = keras.Input((None,), sparse=True, name="a")
    h = x_in
    for _ in range(c["mp_layers"]):
        # GCSConv draws its two kernels from one initializer: FreshDraws keeps
        # them from starting identical.
        h = GCSConv(
            c["mp_channels"],
            activation=c["mp_activation"],
            kernel_initializer=FreshDraws("he_normal"),
        )([h, a_in])
    _, _, s = MinCutPool(
        k,
        mlp_hidden=list(c["mlp_hidden"]),
        mlp_activation=c["mlp_activation"],
        return_selection=True,
        name="pool",
    )([h, a_in])
    return keras.Model([x_in, a_in], s, name="mincut")


def autoencoder_model(n_nodes, n_features, pool="mincut", **config):
    """Graph autoencoder of the MinCutPool paper, §5.2: encoder, a pooling bottleneck that
    keeps `pool_ratio` of the nodes, unpooling, decoder. The decoder's MP
    layers run on the input graph, as in the authors' script.

    Inputs `[x, a_norm, a]` (single mode): features (N, F), the normalized
    adjacency D^-½ A D^-½ (`GCSConv.preprocess`) and the raw adjacency, both
    as `tf.SparseTensor`. Output the reconstruction X_rec (N, F); train it
    with an MSE loss (the pools add their auxiliary losses).

    `pool` is one of `AUTOENCODER_POOLS`:

    - `"mincut"`: MinCutPool on the normalized adjacency, unpooled with
      `AssignmentUnpool` (X_rec = S·X_pool, A_rec = S·A_pool·Sᵀ, eq. 8);
    - `"tvgnn"`: AsymCheegerCutPool on the raw adjacency, same unpooling;
    - `"diffpool"`: Spektral's DiffPool (batch mode: the graph as a batch of
      one, dense raw adjacency), same unpooling;
    - `"topk"`: Spektral's TopKPool on the normalized adjacency, unpooled by
      putting the kept nodes back (`TopKUnpool`, Gao & Ji).

    The layers are named `pool` and `unpool`: `autoencoder_parts(model)`
    gives their outputs. `config` overrides entries of `AUTOENCODER`."""
    import tensorflow as tf
    from spektral.layers import DiffPool, TopKPool

    from spektral_tv.layers import AssignmentUnpool, TopKUnpool

    c = _config(AUTOENCODER, config)
    if pool not in AUTOENCODER_POOLS:
        raise ValueError(f"pool must be one of {AUTOENCODER_POOLS}, got {pool!r}")
    k = max(1, int(round(c["pool_ratio"] * n_nodes)))
    x_in = keras.Input((n_features,), name="x")
    a_norm_in = keras.Input((None,), sparse=True, name="a_norm")
    a_in = keras.Input((None,), sparse=True, name="a")

    def mp(units, activation):
        # FreshDraws: GCSConv's two kernels must not start identical.
        return GCSConv(
            units, activation=activation, kernel_initializer=FreshDraws("glorot_uniform")
        )

    h = x_in
    for _ in range(c["encoder_layers"]):
        h = mp(c["mp_channels"], c["mp_activation"])([h, a_norm_in])

    if pool == "topk":
        x_pool, a_pool, mask = TopKPool(c["pool_ratio"], return_selection=True, name="pool")(
            [h, a_norm_in]
        )
        x_rec, _ = TopKUnpool(name="unpool")([x_pool, a_pool, mask])
    else:
        if pool == "mincut":
            x_pool, a_pool, s = MinCutPool(
                k,
                mlp_hidden=list(c["mlp_hidden"]),
                mlp_activation=c["mlp_activation"],
                return_selection=True,
                name="pool",
            )([h, a_norm_in])
        elif pool == "tvgnn":
            x_pool, a_pool, s = AsymCheegerCutPool(
                k,
                mlp_hidden=list(c["mlp_hidden"]),
                mlp_activation=c["mlp_activation"],
                totvar_coeff=c["totvar_coeff"],
                balance_coeff=c["balance_coeff"],
                return_selection=True,
                name="pool",
            )([h, a_in])
        else:  # DiffPool works in batch mode: the graph as a batch of one
            h_batch = keras.layers.Lambda(lambda t: t[None], name="to_batch")(h)
            a_batch = keras.layers.Lambda(
                lambda t: tf.sparse.to_dense(t)[None], name="to_batch_a"
            )(a_in)
            x_pool, a_pool, s = DiffPool(
                k,
                channels=c["mp_channels"],
                return_selection=True,
                kernel_initializer=FreshDraws("glorot_uniform"),
                name="pool",
            )([h_batch, a_batch])
            x_pool, a_pool, s = keras.layers.Lambda(
                lambda ts: [t[0] for t in ts], name="from_batch"
            )([x_pool, a_pool, s])
        x_rec, _ = AssignmentUnpool(name="unpool")([x_pool, a_pool, s])

    h = x_rec
    for i in range(c["decoder_layers"]):
        last = i == c["decoder_layers"] - 1
        h = mp(n_features if last else c["mp_channels"], None if last else c["mp_activation"])(
            [h, a_norm_in]
        )
    return keras.Model([x_in, a_norm_in, a_in], h, name=f"autoencoder_{pool}")


def autoencoder_parts(model):
    """A model with the inputs of `autoencoder_model`'s `model` and a dict of
    its inner tensors: `x_pool`, `a_pool`, `selection` (S, or Top-K's mask),
    `x_unpool`, `a_unpool` (the unpooling's outputs) and `x_rec`."""
    unpool = model.get_layer("unpool")  # its inputs are the pool's outputs
    x_pool, a_pool, selection = unpool.input
    x_unpool, a_unpool = unpool.output
    outputs = dict(
        x_pool=x_pool,
        a_pool=a_pool,
        selection=selection,
        x_unpool=x_unpool,
        a_unpool=a_unpool,
        x_rec=model.output,
    )
    return keras.Model(model.inputs, outputs)


# ----------------------------------------------------------------------------
@keras.saving.register_keras_serializable(package="spektral_tv")
class MaskedMean(keras.layers.Layer):
    """Mean of the node features over the true nodes of each padded graph
    (batch mode): Spektral's GlobalAvgPool would also count the padding.
    Inputs `[x (B, N, F), node_mask (B, N, 1)]`, output (B, F)."""

    def call(self, inputs):
        x, node_mask = inputs
        total = tf.reduce_sum(x * node_mask, axis=-2)
        return total / tf.maximum(tf.reduce_sum(node_mask, axis=-2), 1.0)


@keras.saving.register_keras_serializable(package="spektral_tv")
class DisjointToBatch(keras.layers.Layer):
    """The mode change between two dense pools in disjoint mode: a pool's
    disjoint output, `x_pool` (B·k, F) and the sparse block-diagonal
    `a_pool` (B·k, B·k), as batch-mode tensors `x` (B, k, F) and dense
    `a` (B, k, k). Every pooled graph has exactly k nodes, so the batch has
    no padding and needs no mask, and the next layers work on the small
    dense graphs in batch mode."""

    def __init__(self, k, **kwargs):
        super().__init__(**kwargs)
        self.k = int(k)

    def call(self, inputs):
        x_pool, a_pool = inputs
        k = self.k
        n_graphs = tf.shape(x_pool)[0] // k
        x = tf.reshape(x_pool, [n_graphs, k, tf.shape(x_pool)[-1]])
        # Entry (r, c) of the block-diagonal matrix is entry (r % k, c % k) of
        # graph r // k.
        idx = a_pool.indices
        dense_idx = tf.stack([idx[:, 0] // k, idx[:, 0] % k, idx[:, 1] % k], axis=1)
        a = tf.scatter_nd(dense_idx, a_pool.values, tf.cast(tf.stack([n_graphs, k, k]), tf.int64))
        return x, a

    def get_config(self):
        return {**super().get_config(), "k": self.k}


def classification_model(pool, n_features, n_classes, k, mode="disjoint", n_pools=2, **config):
    """Graph classifier of the TVGNN paper's Fig. 3b, as both papers and the
    authors' scripts build it: a message-passing block, then `n_pools` times
    (pool, message-passing block), global average pooling and a softmax
    output layer.

    TVGNN uses GTVConv on the raw adjacency and AsymCheegerCutPool; the other
    pools use Spektral's GCSConv (the MinCutPool paper's eq. 1) on the
    normalized adjacency D^-½AD^-½ (`GCSConv.preprocess`): `'mincut'`
    spektral_tv's MinCutPool, `'diffpool'`, `'dmon'`, `'topk'`, `'sagpool'`
    Spektral's DiffPool, DMoNPool, TopKPool and SAGPool, `'nopool'` the same
    blocks without pooling.

    Modes: in `'batch'` mode every layer runs in batch mode (the first block
    on the padded graphs with a Keras mask). In `'disjoint'` mode the first
    block and pool run on the sparse block-diagonal graph; the dense pools
    then hand their small dense graphs (k nodes each) to the next block in
    batch mode (`DisjointToBatch`); Top-K and SAGPool stay disjoint.

    **Arguments**

    - `pool`: one of `CLASSIFICATION_POOLS`;
    - `n_features`: node features F of the dataset (without the mask column);
    - `n_classes`: output units (softmax);
    - `k`: clusters per graph of each dense pool, an int (one pool) or a list
      of `n_pools` ints (`pool_sizes(average_nodes, n_pools)`: the authors'
      rule); Top-K and SAGPool keep `pool_ratio` of the nodes instead;
    - `mode`: `'disjoint'` (inputs `[x, a, i]`, Spektral's `DisjointLoader`,
      `a` a sparse block-diagonal matrix) or `'batch'` (inputs `[x, a]`,
      `BatchLoader(mask=True)`: `x` carries the mask as last column and `a` is
      dense); `POOL_MODES` lists the modes of each pool;
    - `n_pools`: pools in the network (2 as the papers; 1 for the one-pool
      network MP → pool → MP → readout);
    - `config`: overrides of `classification_defaults(pool)` (unknown keys,
      training settings such as `learning_rate` included, raise a ValueError).

    The pools' auxiliary losses are added to the model (`model.losses`), so
    `model.fit` minimizes cross-entropy plus those losses.
    """
    from spektral.layers import (
        DiffPool,
        DMoNPool,
        GlobalAvgPool,
        SAGPool,
        TopKPool,
    )

    from spektral_tv.layers import GraphMasking

    if pool not in CLASSIFICATION_POOLS:
        raise ValueError(f"pool must be one of {CLASSIFICATION_POOLS}, got {pool!r}")
    if mode not in POOL_MODES[pool]:
        raise ValueError(
            f"mode {mode!r} is not supported by pool {pool!r} "
            f"(supported: {', '.join(POOL_MODES[pool])})"
        )
    if int(n_pools) < 1:
        raise ValueError(f"n_pools must be >= 1, got {n_pools}")
    n_pools = int(n_pools)
    ks = [int(k)] * n_pools if np.ndim(k) == 0 else [int(v) for v in k]
    if len(ks) != n_pools:
        raise ValueError(f"k must be an int or a list of n_pools = {n_pools} ints, got {k}")
    c = _config(classification_defaults(pool), config)
    regularizer = keras.regularizers.L2(c["l2"]) if c["l2"] else None

    def conv():
        if pool == "tvgnn":
            return GTVConv(
                c["mp_channels"],
                delta_coeff=c["delta_coeff"],
                epsilon=c["epsilon"],
                activation=c["mp_activation"],
                kernel_regularizer=regularizer,
            )
        return GCSConv(
            c["mp_channels"],
            activation=c["mp_activation"],
            kernel_initializer=FreshDraws("glorot_uniform"),
            kernel_regularizer=regularizer,
        )

    def block(h, a):
        for _ in range(c["mp_layers"]):
            h = conv()([h, a])
        return h

    def pool_layer(j):
        name = f"pool{j + 1}"
        if pool == "tvgnn":
            return AsymCheegerCutPool(
                ks[j],
                mlp_hidden=list(c["mlp_hidden"]),
                mlp_activation=c["mlp_activation"],
                totvar_coeff=c["totvar_coeff"],
                balance_coeff=c["balance_coeff"],
                kernel_regularizer=regularizer,
                loss_prefix=name,
                name=name,
            )
        if pool == "mincut":
            return MinCutPool(
                ks[j],
                mlp_hidden=list(c["mlp_hidden"]),
                mlp_activation=c["mlp_activation"],
                kernel_regularizer=regularizer,
                loss_prefix=name,
                name=name,
            )
        if pool == "diffpool":
            # DiffPool's embedding GNN has the MP channels (the authors' script).
            return DiffPool(
                ks[j],
                channels=c["mp_channels"],
                activation=c["mp_activation"],
                kernel_initializer=FreshDraws("glorot_uniform"),
                kernel_regularizer=regularizer,
                name=name,
            )
        if pool == "dmon":
            return DMoNPool(
                ks[j],
                mlp_hidden=list(c["mlp_hidden"]),
                mlp_activation=c["mlp_activation"],
                collapse_regularization=c["collapse_regularization"],
                kernel_initializer=FreshDraws("glorot_uniform"),
                kernel_regularizer=regularizer,
                name=name,
            )
        if pool == "topk":
            return TopKPool(c["pool_ratio"], kernel_regularizer=regularizer, name=name)
        return SAGPool(c["pool_ratio"], kernel_regularizer=regularizer, name=name)

    if mode == "batch":
        x_in = keras.Input((None, n_features + 1), name="x")  # + mask column
        a_in = keras.Input((None, None), name="a")
        inputs = [x_in, a_in]
        h, i = GraphMasking()(x_in), None
    else:
        x_in = keras.Input((n_features,), name="x")
        a_in = keras.Input((None,), sparse=True, name="a")
        i_in = keras.Input((), dtype=tf.int64, name="i")
        inputs = [x_in, a_in, i_in]
        h, i = x_in, i_in
    a = a_in
    h = block(h, a)

    if pool == "nopool":
        for _ in range(n_pools):
            h = block(h, a)
        h = MaskedMean()([h, x_in[..., -1:]]) if mode == "batch" else GlobalAvgPool()([h, i])
    else:
        for j in range(n_pools):
            pooled = pool_layer(j)([h, a] if i is None else [h, a, i])
            h, a = pooled[0], pooled[1]
            i = None if i is None else pooled[2]
            if i is not None and pool in DENSE_POOLS:
                # k nodes in every pooled graph: continue in batch mode.
                h, a = DisjointToBatch(ks[j], name=f"to_batch{j + 1}")([h, a])
                i = None
            h = block(h, a)
        # Batch mode: after a dense pool every graph has exactly k real nodes.
        h = GlobalAvgPool()(h if i is None else [h, i])
    out = keras.layers.Dense(
        n_classes, activation="softmax", kernel_regularizer=regularizer, name="output"
    )(h)
    return keras.Model(inputs, out, name=f"{pool}_classifier")
