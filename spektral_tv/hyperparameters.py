"""The papers' hyper-parameters and the pools each network builds, as plain
data: the networks of `spektral_tv.models` read their defaults here, and the
command line checks its flags against these tables before TensorFlow loads
(this module imports nothing heavier than `math`).

`spektral_tv.models` re-exports every name, so `models.TVGNN_CLUSTERING`,
`models.POOL_MODES`, `models.pool_sizes` and the rest keep working.
"""

import math

# The TVGNN paper, Table 5, vertex clustering (the network; its training
# settings, lr 1e-3 and 500 epochs as the authors' scripts, are
# `spektral_tv.training.CLUSTERING_TRAINING`). One deliberate departure: Table 5
# and both authors' scripts put a hidden layer of 256 ReLU units in the pool's
# MLP; here the MLP is its output layer only. With the hidden layer, Cora runs
# stall at a high loss in TensorFlow, with our layers and with Spektral's
# (docs/results.md: NMI 0.14-0.41 on seeds 0-2, against 0.44-0.51 without).
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


# The MinCutPool paper, §5.2 (Fig. 11), and the authors' Autoencoder.py: two MP layers of
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
#: In the order of the MinCutPool paper's autoencoder figure.
AUTOENCODER_POOLS = ("topk", "diffpool", "mincut", "tvgnn")


# Graph classification (the TVGNN paper, Fig. 3b, §4.3; the MinCutPool paper, §5.3)
# ----------------------------------------------------------------------------
# The TVGNN paper, Table 5, graph classification (the network; learning rates
# and batch sizes are `spektral_tv.training.CLASSIFICATION_TRAINING`): every
# block has `mp_layers` GTVConv layers ("3× 3 MP layers" on Proteins: three
# blocks of three), `mlp_hidden` are the hidden layers of each pool's MLP
# (Table 5's "# MLP layers" × "MLP channels", as the authors' scripts), l2 on
# every kernel; ε = 1e-3 (App. B.3).
TVGNN_CLASSIFICATION_BY_DATASET = {
    "bench-easy": dict(
        mp_layers=1,
        mp_channels=32,
        mp_activation="relu",
        delta_coeff=0.724,
        mlp_hidden=[64] * 3,
        mlp_activation="relu",
        totvar_coeff=0.594,
        balance_coeff=0.974,
        l2=1e-5,
    ),
    "bench-hard": dict(
        mp_layers=1,
        mp_channels=32,
        mp_activation="relu",
        delta_coeff=2.288,
        mlp_hidden=[64],
        mlp_activation="relu",
        totvar_coeff=0.188,
        balance_coeff=0.737,
        l2=0.0,
    ),
    "MUTAG": dict(
        mp_layers=1,
        mp_channels=32,
        mp_activation="elu",
        delta_coeff=1.644,
        mlp_hidden=[64] * 3,
        mlp_activation="relu",
        totvar_coeff=0.623,
        balance_coeff=0.832,
        l2=1e-4,
    ),
    "Mutagenicity": dict(
        mp_layers=3,
        mp_channels=32,
        mp_activation="relu",
        delta_coeff=3.077,
        mlp_hidden=[32] * 2,
        mlp_activation="elu",
        totvar_coeff=0.726,
        balance_coeff=0.982,
        l2=1e-5,
    ),
    "NCI1": dict(
        mp_layers=3,
        mp_channels=32,
        mp_activation="relu",
        delta_coeff=2.411,
        mlp_hidden=[32] * 3,
        mlp_activation="relu",
        totvar_coeff=0.936,
        balance_coeff=0.639,
        l2=1e-3,
    ),
    "PROTEINS": dict(
        mp_layers=3,
        mp_channels=64,
        mp_activation="elu",
        delta_coeff=2.073,
        mlp_hidden=[16],
        mlp_activation="elu",
        totvar_coeff=0.985,
        balance_coeff=0.751,
        l2=1e-3,
    ),
    "DD": dict(
        mp_layers=1,
        mp_channels=64,
        mp_activation="elu",
        delta_coeff=0.622,
        mlp_hidden=[32] * 2,
        mlp_activation="relu",
        totvar_coeff=0.354,
        balance_coeff=0.323,
        l2=1e-5,
    ),
    "COLLAB": dict(
        mp_layers=2,
        mp_channels=256,
        mp_activation="relu",
        delta_coeff=0.554,
        mlp_hidden=[128] * 2,
        mlp_activation="relu",
        totvar_coeff=0.304,
        balance_coeff=0.801,
        l2=0.0,
    ),
    "REDDIT-BINARY": dict(
        mp_layers=3,
        mp_channels=16,
        mp_activation="relu",
        delta_coeff=1.896,
        mlp_hidden=[16] * 3,
        mlp_activation="relu",
        totvar_coeff=0.654,
        balance_coeff=0.962,
        l2=1e-3,
    ),
}
# Datasets outside Table 5 (ENZYMES, IMDB-BINARY, synthetic sets) use the
# PROTEINS row; the small Bench versions use their full version's row.
TVGNN_CLASSIFICATION = dict(TVGNN_CLASSIFICATION_BY_DATASET["PROTEINS"], epsilon=1e-3)

# The MinCutPool paper, App. C.2, and the authors' Graph_Classification.py,
# shared by MinCutPool and the baselines (the TVGNN paper, App. B.3: "the same
# as in (Bianchi et al., 2020)"): one GCSConv (eq. 1) of 32 ReLU units per
# block on the normalized adjacency, 16 hidden units in the pool's MLP, L2
# 1e-4; DMoN's collapse regularization weighted 0.1 (the TVGNN paper, App.
# B.3); Top-K and SAGPool keep half of the nodes at each pool.
POOL_CLASSIFICATION = dict(
    mp_layers=1,
    mp_channels=32,
    mp_activation="relu",
    mlp_hidden=[16],
    mlp_activation="relu",
    l2=1e-4,
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
#: Pools that make a fixed number k of clusters per graph.
DENSE_POOLS = ("tvgnn", "mincut", "diffpool", "dmon")


def table_key(dataset):
    """The row of the TVGNN paper's Table 5 that `dataset` (a name) uses, or None."""
    name = str(dataset)
    lowered = name.lower().replace("_", "-")
    if lowered.startswith("bench-"):
        return lowered.replace("-small", "")
    for key in TVGNN_CLASSIFICATION_BY_DATASET:
        if key.lower() == lowered:
            return key
    return None


def classification_defaults(pool, dataset=None):
    """The papers' network settings of `pool` on `dataset` (a name such as
    `'PROTEINS'` or `'bench-hard-small'`), as a new dict: the TVGNN row of
    the TVGNN paper's Table 5 for `pool='tvgnn'` (PROTEINS's row for
    datasets the table lacks), `POOL_CLASSIFICATION` otherwise."""
    if pool not in CLASSIFICATION_POOLS:
        raise ValueError(f"pool must be one of {CLASSIFICATION_POOLS}, got {pool!r}")
    if pool != "tvgnn":
        return dict(POOL_CLASSIFICATION)
    row = TVGNN_CLASSIFICATION_BY_DATASET.get(table_key(dataset), {})
    return {**TVGNN_CLASSIFICATION, **row}


def pool_sizes(average_nodes, n_pools=2):
    """Clusters per graph of each of `n_pools` dense pools: the authors' rule
    of the MinCutPool paper's Graph_Classification.py, which halves the
    nodes at every pool ("drop half of the nodes in a graph at each layer",
    §5.3): k_j = ⌈N̄⌉ // 2^j with N̄ the average number of nodes, at least 2.

    The TVGNN authors' scripts divide the largest graph's size instead (their
    batches are padded to it), which on PROTEINS (largest 620 nodes, average
    39) would make 310 clusters out of 39 nodes; the average is the rule that
    halves the nodes of a typical graph."""
    if not average_nodes > 0:
        raise ValueError(f"average_nodes must be > 0, got {average_nodes}")
    if int(n_pools) < 1:
        raise ValueError(f"n_pools must be >= 1, got {n_pools}")
    top = math.ceil(average_nodes)
    return [max(2, top // 2**j) for j in range(1, int(n_pools) + 1)]


# The TVGNN paper, Table 2: graph classification accuracy (%), mean and std
# over 10 runs, the numbers our classification results are compared with.
# Bench-easy / Bench-hard are the full sets (1800 graphs each).
TVGNN_PAPER_CLASSIFICATION_ACCURACY = {
    "bench-easy": dict(
        topk=(53.8, 31.8),
        sagpool=(53.8, 31.8),
        diffpool=(99.0, 0.3),
        mincut=(99.0, 0.3),
        dmon=(98.8, 0.5),
        tvgnn=(99.6, 0.6),
    ),
    "bench-hard": dict(
        topk=(30.5, 0.7),
        sagpool=(29.5, 0.0),
        diffpool=(72.8, 0.2),
        mincut=(70.9, 1.7),
        dmon=(71.8, 1.9),
        tvgnn=(75.3, 0.8),
    ),
    "MUTAG": dict(
        topk=(77.5, 8.4),
        sagpool=(76.8, 9.7),
        diffpool=(86.4, 7.6),
        mincut=(85.2, 7.2),
        dmon=(86.7, 7.0),
        tvgnn=(88.4, 7.5),
    ),
    "Mutagenicity": dict(
        topk=(68.4, 8.4),
        sagpool=(68.2, 7.8),
        diffpool=(78.5, 1.5),
        mincut=(78.4, 1.4),
        dmon=(77.1, 1.3),
        tvgnn=(80.0, 1.3),
    ),
    "NCI1": dict(
        topk=(54.0, 4.1),
        sagpool=(59.2, 7.7),
        diffpool=(74.1, 1.8),
        mincut=(75.2, 1.8),
        dmon=(74.3, 1.3),
        tvgnn=(77.3, 1.8),
    ),
    "PROTEINS": dict(
        topk=(69.6, 2.7),
        sagpool=(70.4, 2.5),
        diffpool=(74.6, 4.2),
        mincut=(75.7, 3.0),
        dmon=(75.2, 3.3),
        tvgnn=(77.1, 2.9),
    ),
    "DD": dict(
        topk=(62.0, 5.6),
        sagpool=(64.2, 7.0),
        diffpool=(77.7, 3.0),
        mincut=(78.2, 3.4),
        dmon=(78.0, 3.3),
        tvgnn=(79.5, 2.2),
    ),
    "COLLAB": dict(
        topk=(73.4, 6.9),
        sagpool=(75.6, 2.5),
        diffpool=(78.4, 1.6),
        mincut=(79.3, 1.1),
        dmon=(79.5, 0.7),
        tvgnn=(79.8, 1.1),
    ),
    "REDDIT-BINARY": dict(
        topk=(54.0, 10.0),
        sagpool=(50.0, 0.1),
        diffpool=(80.9, 2.7),
        mincut=(82.3, 3.2),
        dmon=(82.6, 2.9),
        tvgnn=(86.5, 2.8),
    ),
}


def paper_accuracy(dataset, pool):
    """(mean, std) of `pool` on `dataset` in the TVGNN paper's Table 2, or
    None (no pool there, such as `nopool`, or a dataset it lacks). A small
    Bench set maps to its full set's row."""
    name = str(dataset)
    key = name.lower().replace("_", "-")
    if key.startswith("bench-"):
        key = key.replace("-small", "")
    else:
        key = next((k for k in TVGNN_PAPER_CLASSIFICATION_ACCURACY if k.lower() == key), None)
    return TVGNN_PAPER_CLASSIFICATION_ACCURACY.get(key, {}).get(pool)
