#!/usr/bin/env python
"""Graph classification with TVGNN, MinCutPool and the usual pooling baselines,
trained with `model.fit`, in Spektral's batch or disjoint mode.

Reproduces the graph classification experiments of both papers (seed 000 §5.3,
Table 2; seed 002 §4.3, Table 2) with the architecture of seed 002 Fig. 3b:
message passing, pooling, message passing, global average pooling, softmax.

    python scripts/classify.py --dataset PROTEINS --pool tvgnn --mode disjoint --out results/proteins-tvgnn
    python scripts/classify.py --dataset bench-hard-small --pool mincut --mode batch --runs 3

Protocol: stratified k-fold cross-validation (Bench: its own train /
validation / test split, repeated `--runs` times), 10% of each training fold
(stratified) for validation, Adam on cross-entropy plus the pool's auxiliary
losses, `EarlyStopping(patience=20, restore_best_weights=True)` on the
validation loss, test accuracy of the restored weights. Featureless datasets
(IMDB-BINARY, REDDIT-BINARY, COLLAB) get one-hot degrees and the clustering
coefficient as node features (seed 000 §5.3). The fold splits depend on
`--seed` only; run r of every fold initializes its model with seed
`--seed + r`, so a command repeats its numbers.

Writes DIR/results.json: `folds` (one entry per run and fold: accuracy in
percent, epochs trained, seconds per epoch, process peak memory in MB),
`acc_mean`, `acc_std` (percent), `epoch_s`, `peak_mb`, and the configuration.
"""
import spektral_tv  # noqa: F401  (first: TF_USE_LEGACY_KERAS before TensorFlow)

import argparse
import functools
import json
import os
import resource
import sys
import warnings

import numpy as np
import scipy.sparse as sp
import tf_keras as keras
from sklearn.model_selection import StratifiedKFold, train_test_split
from spektral.data import BatchLoader, DisjointLoader
from spektral.layers import GCSConv

from spektral_tv import datasets
from spektral_tv.models import (
    CLASSIFICATION_POOLS,
    POOL_MODES,
    classification_defaults,
    classification_model,
)
from spektral_tv.training import EpochTimer

# Spektral's loaders shuffle a Dataset in place with np.random.shuffle, which
# warns for any non-Sequence; swapping its Graph objects is safe.
warnings.filterwarnings("ignore", message="you are shuffling a")

BENCH = ("bench-easy", "bench-hard", "bench-easy-small", "bench-hard-small")
SYNTHETIC = "synthetic-large"
# Featureless graphs: one-hot degree clipped here (REDDIT-BINARY's largest
# degree is ~3000; its one-hot would not fit in memory).
MAX_DEGREE = 200


# ----------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------
def tu_name(name):
    """The TU dataset's own spelling of `name` (case-insensitive)."""
    for known in datasets.TUDataset.available_datasets():
        if known.lower() == name.lower():
            return known
    return name


def load_dataset(name, max_degree=MAX_DEGREE, seed=0):
    """(dataset, fixed_splits or None) with node features on every graph."""
    lowered = name.lower()
    if lowered in BENCH:
        dataset = datasets.Bench(lowered[len("bench-"):].replace("-", "_"))
        return dataset, dataset.splits
    if lowered == SYNTHETIC:
        return datasets.LargeGraphs(seed=seed), None
    dataset = datasets.TUDataset(tu_name(name))
    if any(g.x is None for g in dataset):
        largest = max(int(np.diff(sp.csr_matrix(g.a).indptr).max(initial=0)) for g in dataset)
        dataset.apply(functools.partial(datasets.structural_features,
                                        max_degree=min(largest, max_degree)))
    return dataset, None


def normalize_adjacency(graph):
    """D^-½ A D^-½ for the GCSConv models (seed 000 eq. 1)."""
    graph.a = sp.csr_matrix(GCSConv.preprocess(sp.csr_matrix(graph.a)), dtype=np.float32)
    return graph


def graph_labels(dataset):
    return np.array([int(np.argmax(g.y)) for g in dataset], np.int64)


def cv_splits(labels, n_folds, seed, fixed=None):
    """[(train, val, test)] index arrays: `fixed` (Bench) or stratified folds
    with 10% of each training fold, stratified, for validation."""
    if fixed is not None:
        return [(fixed["train"], fixed["val"], fixed["test"])]
    folds = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    n_classes = len(np.unique(labels))
    splits = []
    for fold, (train, test) in enumerate(folds.split(np.zeros(len(labels)), labels)):
        # 10%, but at least one graph of each class (tiny datasets).
        n_val = max(int(round(0.1 * len(train))), n_classes)
        train, val = train_test_split(train, test_size=n_val, stratify=labels[train],
                                      random_state=seed + fold)
        splits.append((train, val, test))
    return splits


def make_loader(dataset, mode, batch_size, shuffle):
    if mode == "batch":
        return BatchLoader(dataset, batch_size=batch_size, mask=True, shuffle=shuffle)
    return DisjointLoader(dataset, batch_size=batch_size, shuffle=shuffle)


# ----------------------------------------------------------------------------
# Training
# ----------------------------------------------------------------------------
def peak_memory_mb():
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KB on Linux


def train_fold(dataset, split, pool, mode, config, k, epochs, patience, seed, verbose=0):
    """Train a fresh model on one split; returns the fold's record."""
    train, val, test = split
    config = dict(config)
    learning_rate, batch_size = config.pop("learning_rate"), config.pop("batch_size")
    keras.utils.set_random_seed(seed)
    model = classification_model(pool, dataset.n_node_features, dataset.n_labels, k,
                                 mode=mode, **config)
    model.compile(keras.optimizers.Adam(learning_rate), loss="categorical_crossentropy",
                  metrics=["acc"])
    loaders = {name: make_loader(dataset[idx], mode, batch_size, shuffle=name == "train")
               for name, idx in (("train", train), ("val", val), ("test", test))}
    clock = EpochTimer()
    stopper = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience,
                                            restore_best_weights=True)
    history = model.fit(
        loaders["train"].load(), steps_per_epoch=loaders["train"].steps_per_epoch,
        validation_data=loaders["val"].load(),
        validation_steps=loaders["val"].steps_per_epoch,
        epochs=epochs, callbacks=[clock, stopper], verbose=verbose,
    ).history
    scores = model.evaluate(loaders["test"].load(), steps=loaders["test"].steps_per_epoch,
                            verbose=0, return_dict=True)
    val_loss = history["val_loss"]
    return {
        "seed": seed,
        "acc": 100.0 * float(scores["acc"]),
        "test_loss": float(scores["loss"]),
        "epochs": len(val_loss),
        "best_epoch": int(np.argmin(val_loss)) + 1,
        "epoch_s": clock.median_ms() / 1000,
        "peak_mb": peak_memory_mb(),
        "n_train": len(train), "n_val": len(val), "n_test": len(test),
    }


def summarize(records):
    acc = [r["acc"] for r in records]
    return {
        "acc_mean": float(np.mean(acc)),
        "acc_std": float(np.std(acc)),
        "epoch_s": float(np.mean([r["epoch_s"] for r in records])),
        "peak_mb": float(max(r["peak_mb"] for r in records)),
        "epochs_mean": float(np.mean([r["epochs"] for r in records])),
    }


def print_table(records, summary, title):
    print(title)
    print(f"{'run':>4} {'fold':>4} {'acc %':>7} {'epochs':>6} {'s/epoch':>8} {'peak MB':>8}")
    for r in records:
        print(f"{r['run']:>4} {r['fold']:>4} {r['acc']:>7.1f} {r['epochs']:>6} "
              f"{r['epoch_s']:>8.2f} {r['peak_mb']:>8.0f}")
    print(f"mean ± std: {summary['acc_mean']:.1f} ± {summary['acc_std']:.1f} %, "
          f"{summary['epoch_s']:.2f} s/epoch, peak {summary['peak_mb']:.0f} MB")


# ----------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------
# Flags that override hyper-parameters (None: the paper's value).
OVERRIDES = {
    "lr": ("learning_rate", float, "learning rate"),
    "batch_size": ("batch_size", int, "graphs per batch (papers: 8)"),
    "mp_layers": ("mp_layers", int, "message-passing layers in each block"),
    "mp_channels": ("mp_channels", int, "channels of the message-passing layers"),
    "mp_activation": ("mp_activation", str, "activation of the message-passing layers"),
    "mlp_hidden": ("mlp_hidden", None, "hidden units of the pool's MLP, e.g. 16 16 "
                   "(an empty list for none)"),
    "mlp_activation": ("mlp_activation", str, "activation of the pool's MLP"),
    "l2": ("l2", float, "L2 weight on the kernels"),
    "delta": ("delta_coeff", float, "TVGNN: 2δ of GTVConv"),
    "totvar_coeff": ("totvar_coeff", float, "TVGNN: α1"),
    "balance_coeff": ("balance_coeff", float, "TVGNN: α2"),
    "pool_ratio": ("pool_ratio", float, "TopK / SAGPool: fraction of nodes kept"),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", default="MUTAG",
                        help=f"{', '.join(BENCH)}, {SYNTHETIC} or a TU dataset name "
                             f"({', '.join(datasets.TUDataset.available_datasets())}, ...)")
    parser.add_argument("--pool", default="tvgnn", choices=CLASSIFICATION_POOLS)
    parser.add_argument("--mode", default="disjoint", choices=("batch", "disjoint"))
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds "
                        "(ignored for Bench, which has its own split)")
    parser.add_argument("--max-folds", type=int, default=None,
                        help="run only the first N folds (quick checks, scale tests)")
    parser.add_argument("--runs", type=int, default=1, help="runs per fold")
    parser.add_argument("--epochs", type=int, default=500,
                        help="maximum epochs (early stopping usually ends sooner)")
    parser.add_argument("--patience", type=int, default=20,
                        help="early-stopping patience on the validation loss")
    parser.add_argument("--k", type=int, default=None,
                        help="clusters per graph (default: half the average number of nodes)")
    parser.add_argument("--max-degree", type=int, default=MAX_DEGREE,
                        help="featureless datasets: one-hot degrees clipped to this")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="default: results/classify-DATASET-POOL-MODE")
    parser.add_argument("--verbose", type=int, default=0, choices=(0, 1, 2),
                        help="model.fit verbosity")
    for flag, (_, kind, help_text) in OVERRIDES.items():
        option = "--" + flag.replace("_", "-")
        if kind is None:
            parser.add_argument(option, type=int, nargs="*", default=None, help=help_text)
        else:
            parser.add_argument(option, type=kind, default=None, help=help_text)
    args = parser.parse_args(argv)

    if args.mode not in POOL_MODES[args.pool]:
        parser.error(f"--pool {args.pool} does not run in --mode {args.mode}: Spektral's "
                     f"layer supports {' / '.join(POOL_MODES[args.pool])} only")
    for flag, minimum in (("folds", 2), ("runs", 1), ("epochs", 1), ("patience", 1),
                          ("max_degree", 0)):
        if getattr(args, flag) < minimum:
            parser.error(f"--{flag.replace('_', '-')} must be >= {minimum}")
    for flag in ("max_folds", "k", "batch_size", "mp_layers", "mp_channels"):
        value = getattr(args, flag)
        if value is not None and value < (2 if flag == "k" else 1):
            parser.error(f"--{flag.replace('_', '-')} must be >= {2 if flag == 'k' else 1}")
    return args


def config_from_args(args):
    # The synthetic large graphs stand in for D&D: its row of Table 5.
    table_row = "DD" if args.dataset.lower() == SYNTHETIC else args.dataset
    config = classification_defaults(args.pool, table_row)
    for flag, (key, _, _) in OVERRIDES.items():
        value = getattr(args, flag)
        if value is None:
            continue
        if key not in config:
            raise ValueError(f"--{flag.replace('_', '-')} does not apply to --pool {args.pool}")
        config[key] = list(value) if isinstance(value, list) else value
    return config


def main(argv=None):
    args = parse_args(argv)
    config = config_from_args(args)
    out = args.out or os.path.join("results", f"classify-{args.dataset}-{args.pool}-{args.mode}")
    os.makedirs(out, exist_ok=True)

    dataset, fixed = load_dataset(args.dataset, args.max_degree, seed=args.seed)
    if args.pool != "tvgnn":
        dataset.apply(normalize_adjacency)
    labels = graph_labels(dataset)
    average_nodes = float(np.mean([g.n_nodes for g in dataset]))
    k = args.k or max(2, int(np.ceil(average_nodes)) // 2)
    splits = cv_splits(labels, args.folds, args.seed, fixed)[: args.max_folds]

    results = {
        "dataset": args.dataset, "pool": args.pool, "mode": args.mode,
        "protocol": "fixed split" if fixed is not None else f"{args.folds}-fold CV",
        "command": "python scripts/classify.py " + " ".join(sys.argv[1:] if argv is None
                                                            else argv),
        "n_graphs": len(dataset), "n_features": dataset.n_node_features,
        "n_classes": dataset.n_labels, "average_nodes": average_nodes, "k": k,
        "max_epochs": args.epochs, "patience": args.patience, "seed": args.seed,
        "config": config,
    }
    records = []
    for run in range(args.runs):
        for fold, split in enumerate(splits):
            record = train_fold(dataset, split, args.pool, args.mode, config, k,
                                args.epochs, args.patience, seed=args.seed + run,
                                verbose=args.verbose)
            records.append({"run": run, "fold": fold, **record})
            print(f"{args.pool} {args.mode} {args.dataset} run {run} fold {fold}: "
                  f"acc {record['acc']:.1f} %, {record['epochs']} epochs, "
                  f"{record['epoch_s']:.2f} s/epoch", flush=True)
            # Written after every fold: an interrupted job keeps its folds.
            results.update(folds=records, **summarize(records))
            with open(os.path.join(out, "results.json"), "w") as f:
                json.dump(results, f, indent=2)

    summary = summarize(records)
    print_table(records, summary, f"{args.pool} ({args.mode} mode) on {args.dataset}, "
                                  f"k = {k}: {results['protocol']}, {args.runs} run(s)")
    return results


if __name__ == "__main__":
    main()
