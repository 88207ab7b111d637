"""Keras Functional models of the papers' experiments, used by the scripts and
notebooks.

Each builder returns an uncompiled `tf_keras.Model`; the clustering models are
trained with `model.fit` on their pool's auxiliary losses alone.
"""
import spektral_tv  # noqa: F401  (TF_USE_LEGACY_KERAS before TensorFlow)
import tf_keras as keras
from spektral.layers import GCSConv

from spektral_tv.initializers import FreshDraws
from spektral_tv.layers import AsymCheegerCutPool, GTVConv, MinCutPool

# The TVGNN paper, Table 5, vertex clustering (the network; its training
# settings, lr 1e-3 and 500 epochs as the authors' scripts, are
# `spektral_tv.training.CLUSTERING_TRAINING`). Table 5's "1 MLP layer" is read
# as the authors' PyTorch reference reads it: the MLP is the single output
# layer (its 256 channels unused). With a hidden layer of 256 units (their
# TensorFlow script) runs are bimodal on Cora.
TVGNN_CLUSTERING = dict(
    mp_layers=2,
    mp_channels=512,
    mp_activation="elu",
    delta_coeff=0.311,
    epsilon=1e-3,
    mlp_hidden=[],
    mlp_activation="relu",
    totvar_coeff=0.785,
    balance_coeff=0.514,
)

# The MinCutPool paper, App. C, and the authors' script: one MP layer of eq. 1
# (Spektral's GCSConv) with 16 ELU units on the normalized adjacency, then
# MinCutPool without hidden MLP layers (trained with lr 5e-4 for 10 000
# iterations: `spektral_tv.training.CLUSTERING_TRAINING`).
MINCUT_CLUSTERING = dict(
    mp_layers=1,
    mp_channels=16,
    mp_activation="elu",
    mlp_hidden=[],
    mlp_activation="relu",
)


def _config(defaults, overrides):
    unknown = set(overrides) - set(defaults)
    if unknown:
        raise ValueError(
            f"Unknown hyper-parameter(s) {sorted(unknown)}; expected some of "
            f"{sorted(defaults)}"
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


# Seed 000 §5.2 (Fig. 11) and the authors' Autoencoder.py: two MP layers of
# eq. 1 (GCSConv, 32 tanh units) before the pool, the pool keeps 25% of the
# nodes (MinCutPool with a hidden MLP layer of 32 units), unpooling, then
# three MP layers (32, 32 tanh, linear to the features), all on the
# normalized adjacency of the input graph. Trained on the MSE (Adam lr 5e-3,
# 10 000 iterations, early stopping: `spektral_tv.training.AUTOENCODER_TRAINING`).
AUTOENCODER = dict(
    mp_channels=32,
    mp_activation="tanh",
    encoder_layers=2,
    decoder_layers=3,
    pool_ratio=0.25,
    mlp_hidden=[32],
    mlp_activation="relu",
    totvar_coeff=TVGNN_CLUSTERING["totvar_coeff"],
    balance_coeff=TVGNN_CLUSTERING["balance_coeff"],
)
AUTOENCODER_POOLS = ("mincut", "tvgnn", "diffpool", "topk")


def autoencoder_model(n_nodes, n_features, pool="mincut", **config):
    """Graph autoencoder of seed 000 §5.2: encoder, a pooling bottleneck that
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
        return GCSConv(units, activation=activation,
                       kernel_initializer=FreshDraws("glorot_uniform"))

    h = x_in
    for _ in range(c["encoder_layers"]):
        h = mp(c["mp_channels"], c["mp_activation"])([h, a_norm_in])

    if pool == "topk":
        x_pool, a_pool, mask = TopKPool(c["pool_ratio"], return_selection=True,
                                        name="pool")([h, a_norm_in])
        x_rec, _ = TopKUnpool(name="unpool")([x_pool, a_pool, mask])
    else:
        if pool == "mincut":
            x_pool, a_pool, s = MinCutPool(
                k, mlp_hidden=list(c["mlp_hidden"]),
                mlp_activation=c["mlp_activation"], return_selection=True,
                name="pool")([h, a_norm_in])
        elif pool == "tvgnn":
            x_pool, a_pool, s = AsymCheegerCutPool(
                k, mlp_hidden=list(c["mlp_hidden"]),
                mlp_activation=c["mlp_activation"],
                totvar_coeff=c["totvar_coeff"], balance_coeff=c["balance_coeff"],
                return_selection=True, name="pool")([h, a_in])
        else:  # DiffPool works in batch mode: the graph as a batch of one
            h_batch = keras.layers.Lambda(lambda t: t[None], name="to_batch")(h)
            a_batch = keras.layers.Lambda(
                lambda t: tf.sparse.to_dense(t)[None], name="to_batch_a")(a_in)
            x_pool, a_pool, s = DiffPool(
                k, channels=c["mp_channels"], return_selection=True,
                kernel_initializer=FreshDraws("glorot_uniform"),
                name="pool")([h_batch, a_batch])
            x_pool, a_pool, s = keras.layers.Lambda(
                lambda ts: [t[0] for t in ts], name="from_batch")([x_pool, a_pool, s])
        x_rec, _ = AssignmentUnpool(name="unpool")([x_pool, a_pool, s])

    h = x_rec
    for i in range(c["decoder_layers"]):
        last = i == c["decoder_layers"] - 1
        h = mp(n_features if last else c["mp_channels"],
               None if last else c["mp_activation"])([h, a_norm_in])
    return keras.Model([x_in, a_norm_in, a_in], h, name=f"autoencoder_{pool}")


def autoencoder_parts(model):
    """A model with the inputs of `autoencoder_model`'s `model` and a dict of
    its inner tensors: `x_pool`, `a_pool`, `selection` (S, or Top-K's mask),
    `x_unpool`, `a_unpool` (the unpooling's outputs) and `x_rec`."""
    unpool = model.get_layer("unpool")  # its inputs are the pool's outputs
    x_pool, a_pool, selection = unpool.input
    x_unpool, a_unpool = unpool.output
    outputs = dict(x_pool=x_pool, a_pool=a_pool, selection=selection,
                   x_unpool=x_unpool, a_unpool=a_unpool, x_rec=model.output)
    return keras.Model(model.inputs, outputs)


# ----------------------------------------------------------------------------
# Graph classification (seed 002 Fig. 3b, §4.3; seed 000 §5.3)
# ----------------------------------------------------------------------------
# Seed 002 Table 5, graph classification, read with the authors' scripts:
# `mp_layers` GTVConv layers in each message-passing block, `mlp_hidden` the
# hidden layers of the pool's MLP (Table 5's "# MLP layers" × "MLP channels"),
# l2 on every kernel; ε = 1e-3 (App. B.3); batch size 8 (App. B.3; the paper
# drops to 1 on D&D and REDDIT-BINARY for memory, not needed here).
TVGNN_CLASSIFICATION_BY_DATASET = {
    "bench-easy": dict(mp_layers=1, mp_channels=32, mp_activation="relu", delta_coeff=0.724,
                       mlp_hidden=[64] * 3, mlp_activation="relu", totvar_coeff=0.594,
                       balance_coeff=0.974, l2=1e-5, learning_rate=1e-3),
    "bench-hard": dict(mp_layers=1, mp_channels=32, mp_activation="relu", delta_coeff=2.288,
                       mlp_hidden=[64], mlp_activation="relu", totvar_coeff=0.188,
                       balance_coeff=0.737, l2=0.0, learning_rate=5e-4),
    "MUTAG": dict(mp_layers=1, mp_channels=32, mp_activation="elu", delta_coeff=1.644,
                  mlp_hidden=[64] * 3, mlp_activation="relu", totvar_coeff=0.623,
                  balance_coeff=0.832, l2=1e-4, learning_rate=1e-2),
    "Mutagenicity": dict(mp_layers=3, mp_channels=32, mp_activation="relu", delta_coeff=3.077,
                         mlp_hidden=[32] * 2, mlp_activation="elu", totvar_coeff=0.726,
                         balance_coeff=0.982, l2=1e-5, learning_rate=5e-4),
    "NCI1": dict(mp_layers=3, mp_channels=32, mp_activation="relu", delta_coeff=2.411,
                 mlp_hidden=[32] * 3, mlp_activation="relu", totvar_coeff=0.936,
                 balance_coeff=0.639, l2=1e-3, learning_rate=5e-4),
    "PROTEINS": dict(mp_layers=3, mp_channels=64, mp_activation="elu", delta_coeff=2.073,
                     mlp_hidden=[16], mlp_activation="elu", totvar_coeff=0.985,
                     balance_coeff=0.751, l2=1e-3, learning_rate=1e-3),
    "DD": dict(mp_layers=1, mp_channels=64, mp_activation="elu", delta_coeff=0.622,
               mlp_hidden=[32] * 2, mlp_activation="relu", totvar_coeff=0.354,
               balance_coeff=0.323, l2=1e-5, learning_rate=1e-5),
    "COLLAB": dict(mp_layers=2, mp_channels=256, mp_activation="relu", delta_coeff=0.554,
                   mlp_hidden=[128] * 2, mlp_activation="relu", totvar_coeff=0.304,
                   balance_coeff=0.801, l2=0.0, learning_rate=5e-5),
    "REDDIT-BINARY": dict(mp_layers=3, mp_channels=16, mp_activation="relu",
                          delta_coeff=1.896, mlp_hidden=[16] * 3, mlp_activation="relu",
                          totvar_coeff=0.654, balance_coeff=0.962, l2=1e-3,
                          learning_rate=1e-3),
}
# Datasets outside Table 5 (ENZYMES, IMDB-BINARY, synthetic sets) use the
# PROTEINS row; the small Bench versions use their full version's row.
TVGNN_CLASSIFICATION = dict(
    TVGNN_CLASSIFICATION_BY_DATASET["PROTEINS"], epsilon=1e-3, batch_size=8
)

# Seed 000 App. C.2 and the authors' Graph_Classification.py, shared by
# MinCutPool and the baselines (seed 002 App. B.3: "configurations were the
# same as in (Bianchi et al., 2020)"): one GCSConv (eq. 1) of 32 ReLU units per
# block on the normalized adjacency, 16 hidden units in the pool's MLP, L2
# 1e-4, Adam 5e-4; batch size 8 (seed 002 App. B.3; TopK and SAGPool used 1
# there). DMoN's collapse regularization is weighted 0.1 (seed 002 App. B.3).
POOL_CLASSIFICATION = dict(
    mp_layers=1,
    mp_channels=32,
    mp_activation="relu",
    mlp_hidden=[16],
    mlp_activation="relu",
    l2=1e-4,
    learning_rate=5e-4,
    batch_size=8,
    collapse_regularization=0.1,
    pool_ratio=0.5,
)

CLASSIFICATION_POOLS = ("tvgnn", "mincut", "diffpool", "dmon", "topk", "sagpool", "nopool")
# Which Spektral data modes each pool runs in (Spektral's DiffPool and DMoNPool
# are batch mode only, its TopKPool and SAGPool single / disjoint only).
POOL_MODES = {
    "tvgnn": ("batch", "disjoint"),
    "mincut": ("batch", "disjoint"),
    "diffpool": ("batch",),
    "dmon": ("batch",),
    "topk": ("disjoint",),
    "sagpool": ("disjoint",),
    "nopool": ("batch", "disjoint"),
}


def _table_key(dataset):
    name = str(dataset)
    lowered = name.lower().replace("_", "-")
    if lowered.startswith("bench-"):
        return lowered.replace("-small", "")
    for key in TVGNN_CLASSIFICATION_BY_DATASET:
        if key.lower() == lowered:
            return key
    return None


def classification_defaults(pool, dataset=None):
    """The papers' hyper-parameters of `pool` on `dataset` (a name such as
    `'PROTEINS'` or `'bench-hard-small'`), as a new dict: the TVGNN row of
    seed 002 Table 5 for `pool='tvgnn'` (PROTEINS's row for datasets the table
    lacks), `POOL_CLASSIFICATION` otherwise."""
    if pool not in CLASSIFICATION_POOLS:
        raise ValueError(f"pool must be one of {CLASSIFICATION_POOLS}, got {pool!r}")
    if pool != "tvgnn":
        return dict(POOL_CLASSIFICATION)
    row = TVGNN_CLASSIFICATION_BY_DATASET.get(_table_key(dataset), {})
    return {**TVGNN_CLASSIFICATION, **row}


class _MaskedMean(keras.layers.Layer):
    """Mean of the node features over the true nodes of each padded graph
    (batch mode): Spektral's GlobalAvgPool would also count the padding."""

    def call(self, inputs):
        import tensorflow as tf

        x, node_mask = inputs
        total = tf.reduce_sum(x * node_mask, axis=-2)
        return total / tf.maximum(tf.reduce_sum(node_mask, axis=-2), 1.0)


def classification_model(pool, n_features, n_classes, k, mode="disjoint", **config):
    """Graph classifier of seed 002 Fig. 3b: a message-passing block, a
    pooling layer, a message-passing block, global average pooling and a
    softmax output layer (as the authors' scripts, whose readout MLP is that
    single layer).

    TVGNN uses GTVConv (He-normal kernels) on the raw adjacency and
    AsymCheegerCutPool; the other pools use Spektral's GCSConv (seed 000
    eq. 1) on the normalized adjacency D^-½AD^-½ (`GCSConv.preprocess`):
    `'mincut'` spektral_tv's MinCutPool, `'diffpool'`, `'dmon'`, `'topk'`,
    `'sagpool'` Spektral's DiffPool, DMoNPool, TopKPool and SAGPool,
    `'nopool'` no pooling layer (MP, MP, readout).

    **Arguments**

    - `pool`: one of `CLASSIFICATION_POOLS`;
    - `n_features`: node features F of the dataset (without the mask column);
    - `n_classes`: output units (softmax);
    - `k`: clusters per graph of the dense pools (the papers: half the
      average number of nodes); TopK and SAGPool keep `pool_ratio` instead;
    - `mode`: `'disjoint'` (inputs `[x, a, i]`, Spektral's `DisjointLoader`,
      `a` a sparse block-diagonal matrix) or `'batch'` (inputs `[x, a]`,
      `BatchLoader(mask=True)`: `x` carries the mask as last column and `a` is
      dense); `POOL_MODES` lists the modes of each pool;
    - `config`: overrides of `classification_defaults(pool)` (unknown keys
      raise a ValueError); `learning_rate` and `batch_size` are for the caller.

    The pool's auxiliary losses are added to the model (`model.losses`), so
    `model.fit` minimizes cross-entropy plus those losses.
    """
    import tensorflow as tf
    from spektral.layers import (
        DiffPool,
        DMoNPool,
        GlobalAvgPool,
        GraphMasking,
        SAGPool,
        TopKPool,
    )

    if pool not in CLASSIFICATION_POOLS:
        raise ValueError(f"pool must be one of {CLASSIFICATION_POOLS}, got {pool!r}")
    if mode not in POOL_MODES[pool]:
        raise ValueError(f"mode {mode!r} is not supported by pool {pool!r} "
                         f"(supported: {', '.join(POOL_MODES[pool])})")
    c = _config(classification_defaults(pool), config)
    regularizer = keras.regularizers.L2(c["l2"]) if c["l2"] else None

    def conv():
        if pool == "tvgnn":
            return GTVConv(c["mp_channels"], delta_coeff=c["delta_coeff"],
                           epsilon=c["epsilon"], activation=c["mp_activation"],
                           kernel_initializer="he_normal", kernel_regularizer=regularizer)
        return GCSConv(c["mp_channels"], activation=c["mp_activation"],
                       kernel_initializer=FreshDraws("glorot_uniform"),
                       kernel_regularizer=regularizer)

    def block(h, a):
        for _ in range(c["mp_layers"]):
            h = conv()([h, a])
        return h

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
    h = block(h, a_in)

    pool_inputs = [h, a_in] if i is None else [h, a_in, i]
    if pool == "tvgnn":
        pooled = AsymCheegerCutPool(
            k, mlp_hidden=list(c["mlp_hidden"]), mlp_activation=c["mlp_activation"],
            totvar_coeff=c["totvar_coeff"], balance_coeff=c["balance_coeff"],
            kernel_regularizer=regularizer, name="pool")(pool_inputs)
    elif pool == "mincut":
        pooled = MinCutPool(
            k, mlp_hidden=list(c["mlp_hidden"]), mlp_activation=c["mlp_activation"],
            kernel_regularizer=regularizer, name="pool")(pool_inputs)
    elif pool == "diffpool":
        # DiffPool's embedding GNN has the MP channels (the authors' script).
        pooled = DiffPool(k, channels=c["mp_channels"], activation=c["mp_activation"],
                          kernel_initializer=FreshDraws("glorot_uniform"),
                          kernel_regularizer=regularizer, name="pool")(pool_inputs)
    elif pool == "dmon":
        pooled = DMoNPool(k, mlp_hidden=list(c["mlp_hidden"]),
                          mlp_activation=c["mlp_activation"],
                          collapse_regularization=c["collapse_regularization"],
                          kernel_initializer=FreshDraws("glorot_uniform"),
                          kernel_regularizer=regularizer, name="pool")(pool_inputs)
    elif pool == "topk":
        pooled = TopKPool(c["pool_ratio"], kernel_regularizer=regularizer,
                          name="pool")(pool_inputs)
    elif pool == "sagpool":
        pooled = SAGPool(c["pool_ratio"], kernel_regularizer=regularizer,
                         name="pool")(pool_inputs)
    else:
        pooled = None

    if pooled is None:  # no pooling: a second block on the input graph
        h = block(h, a_in)
        if mode == "batch":
            h = _MaskedMean()([h, x_in[..., -1:]])
        else:
            h = GlobalAvgPool()([h, i])
    else:
        h, a_pool = pooled[0], pooled[1]
        h = block(h, a_pool)
        # In batch mode the pooled graphs have exactly k (or ratio·n) real nodes.
        h = GlobalAvgPool()(h if mode == "batch" else [h, pooled[2]])
    out = keras.layers.Dense(n_classes, activation="softmax", kernel_regularizer=regularizer,
                             name="output")(h)
    return keras.Model(inputs, out, name=f"{pool}_classifier")
