"""Graph classification with TVGNN, MinCutPool and the usual pooling baselines,
trained with `model.fit`, in Spektral's batch or disjoint mode.

Reproduces the graph classification experiments of both papers (the
MinCutPool paper §5.3, the TVGNN paper §4.3 and Table 2) with their
hierarchical network (the TVGNN paper's Fig. 3b and the authors' scripts):
message-passing block, pool, message-passing block, pool, message-passing
block, global average pooling, softmax. `--pools 1` gives the one-pool network.

    spektral-tv classify --dataset PROTEINS --pool tvgnn --out results/proteins-tvgnn
    spektral-tv classify --dataset MUTAG --pool mincut --mode batch --runs 3
    spektral-tv classify --dataset PROTEINS --pool tvgnn --out results/proteins-tvgnn --resume

Protocol (the TVGNN paper, §4.3): stratified 5-fold cross-validation (Bench:
its own train / validation / test split), 10% of each training fold
(stratified) for validation, 3 runs per fold with seeds SEED, SEED + 1, ...;
Adam on cross-entropy plus the pools' auxiliary losses, early stopping on the
validation loss (patience 20, best weights restored), test accuracy of those
weights. The splits depend on `--seed` only, so every pool is scored on the
same splits (their indices are in results.json). k per pool: the authors'
rule, half the average number of nodes at the first pool, a quarter at the
second (`spektral_tv.models.pool_sizes`). Featureless datasets (IMDB-BINARY,
REDDIT-BINARY, COLLAB) get one-hot degrees and the clustering coefficient as
node features (the MinCutPool paper, §5.3).

Writes OUT/results.json after every fold (atomically): `folds` (run, fold,
seed, accuracy in percent, epochs, s/epoch, process peak memory in MB),
`acc_mean`, `acc_std` (percent), `epoch_s`, `peak_mb`, the splits, the
network and training settings and the command. The fold under way saves
its training state (weights, optimizer, early stopping, history) in
OUT/checkpoints/ every minute. `--resume` skips the folds already in
results.json (made with the same settings: others are refused) and
continues a stopped fold from its last saved epoch, so a fold longer than
one sitting still finishes; `resumed_at_epoch` in its record says where.
Without `--resume` a fold starts afresh.
"""

import contextlib
import json
import os
import shutil

from spektral_tv.experiments import _common
from spektral_tv.hyperparameters import CLASSIFICATION_POOLS, POOL_MODES

BENCH = ("bench-easy", "bench-hard", "bench-easy-small", "bench-hard-small")
SYNTHETIC = "synthetic-large"
# The state of an unfinished fold (`--resume` continues it): OUT/CHECKPOINTS/run-R-fold-F.
CHECKPOINTS = "checkpoints"
# Featureless graphs: one-hot degree clipped here (REDDIT-BINARY's largest
# degree is ~3000; its one-hot would not fit in memory).
MAX_DEGREE = 200

# Flags that override the network (model) or training settings (None: the
# papers' value): flag -> (key, type, help, "model" or "training").
OVERRIDES = {
    "lr": ("learning_rate", float, "learning rate", "training"),
    "batch_size": (
        "batch_size",
        int,
        "graphs per batch (papers: 8; Top-K, SAGPool: 1)",
        "training",
    ),
    "mp_layers": ("mp_layers", int, "message-passing layers in each block", "model"),
    "mp_channels": ("mp_channels", int, "channels of the message-passing layers", "model"),
    "mp_activation": ("mp_activation", str, "activation of the message-passing layers", "model"),
    "mlp_hidden": (
        "mlp_hidden",
        None,
        "hidden units of the pools' MLP, e.g. 16 16 (an empty list for none)",
        "model",
    ),
    "mlp_activation": ("mlp_activation", str, "activation of the pools' MLP", "model"),
    "l2": ("l2", float, "L2 weight on the kernels", "model"),
    "delta": ("delta_coeff", float, "TVGNN: 2δ of GTVConv", "model"),
    "totvar_coeff": ("totvar_coeff", float, "TVGNN: α1", "model"),
    "balance_coeff": ("balance_coeff", float, "TVGNN: α2", "model"),
    "pool_ratio": ("pool_ratio", float, "TopK / SAGPool: fraction of nodes kept", "model"),
}


# ----------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------
def tu_name(name):
    """The TU dataset's own spelling of `name` (case-insensitive)."""
    from spektral_tv import datasets

    for known in datasets.TUDataset.available_datasets():
        if known.lower() == name.lower():
            return known
    return name


def load_dataset(name, max_degree=MAX_DEGREE, seed=0):
    """`(dataset, fixed_splits or None)` with node features on every graph."""
    import functools

    import numpy as np
    import scipy.sparse as sp

    from spektral_tv import datasets

    lowered = name.lower()
    if lowered in BENCH:
        dataset = datasets.Bench(lowered[len("bench-") :].replace("-", "_"))
        return dataset, dataset.splits
    if lowered == SYNTHETIC:
        return datasets.LargeGraphs(seed=seed), None
    dataset = datasets.TUDataset(tu_name(name))
    if any(g.x is None for g in dataset):
        largest = max(int(np.diff(sp.csr_matrix(g.a).indptr).max(initial=0)) for g in dataset)
        dataset.apply(
            functools.partial(datasets.structural_features, max_degree=min(largest, max_degree))
        )
    return dataset, None


def normalize_adjacency(graph):
    """D^-½ A D^-½ for the GCSConv models (the MinCutPool paper's eq. 1)."""
    import numpy as np
    import scipy.sparse as sp
    from spektral.layers import GCSConv

    graph.a = sp.csr_matrix(GCSConv.preprocess(sp.csr_matrix(graph.a)), dtype=np.float32)
    return graph


def graph_labels(dataset):
    """The class of every graph (argmax of its one-hot `y`)."""
    import numpy as np

    return np.array([int(np.argmax(g.y)) for g in dataset], np.int64)


def cv_splits(labels, n_folds, seed, fixed=None):
    """`[(train, val, test)]` index arrays: `fixed` (Bench) or stratified
    folds with 10% of each training fold, stratified, for validation."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold, train_test_split

    if fixed is not None:
        return [(np.asarray(fixed["train"]), np.asarray(fixed["val"]), np.asarray(fixed["test"]))]
    folds = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    n_classes = len(np.unique(labels))
    splits = []
    for fold, (train, test) in enumerate(folds.split(np.zeros(len(labels)), labels)):
        # 10%, but at least one graph of each class (tiny datasets).
        n_val = max(int(round(0.1 * len(train))), n_classes)
        train, val = train_test_split(
            train, test_size=n_val, stratify=labels[train], random_state=seed + fold
        )
        splits.append((train, val, test))
    return splits


def make_loader(dataset, mode, batch_size, shuffle):
    """Spektral's `BatchLoader(mask=True)` or `DisjointLoader` over `dataset`."""
    import warnings

    from spektral.data import BatchLoader, DisjointLoader

    # Spektral's loaders shuffle a Dataset in place with np.random.shuffle,
    # which warns for any non-Sequence; swapping its Graph objects is safe.
    warnings.filterwarnings("ignore", message="you are shuffling a")
    if mode == "batch":
        return BatchLoader(dataset, batch_size=batch_size, mask=True, shuffle=shuffle)
    return DisjointLoader(dataset, batch_size=batch_size, shuffle=shuffle)


# ----------------------------------------------------------------------------
# Training
# ----------------------------------------------------------------------------
def train_fold(
    dataset,
    split,
    pool,
    mode,
    network,
    training_settings,
    k,
    n_pools,
    seed,
    verbose=0,
    callbacks=(),
    strategy=None,
    checkpoint=None,
):
    """Trains a fresh model on one split; returns `(model, record)`. With a
    `tf.distribute` `strategy`, the model is built in its scope and every
    replica gets whole graphs (`spektral_tv.distribute`; the batch size is
    the global batch). With `checkpoint` (a folder), the training state is
    saved there every minute and a state found there is resumed
    (`spektral_tv.training.FitCheckpoint`); the caller removes the folder
    once the record is stored."""
    import numpy as np
    import tf_keras as keras

    from spektral_tv import distribute, models, training

    train, val, test = split
    keras.utils.set_random_seed(seed)
    batch_size = training_settings["batch_size"]
    parts = (("train", train), ("val", val), ("test", test))
    if strategy is None:
        model = models.classification_model(
            pool,
            dataset.n_node_features,
            dataset.n_labels,
            k,
            mode=mode,
            n_pools=n_pools,
            **network,
        )
        model.compile(
            keras.optimizers.Adam(training_settings["learning_rate"]),
            loss="categorical_crossentropy",
            metrics=["acc"],
        )
        loaders = {
            name: make_loader(dataset[idx], mode, batch_size, shuffle=name == "train")
            for name, idx in parts
        }
        data = {name: (loader.load(), loader.steps_per_epoch) for name, loader in loaders.items()}
    else:
        model = distribute.classification_model(
            strategy,
            pool,
            dataset.n_node_features,
            dataset.n_labels,
            k,
            mode=mode,
            n_pools=n_pools,
            learning_rate=training_settings["learning_rate"],
            **network,
        )
        data = {
            name: distribute.graph_dataset(
                strategy, dataset[idx], mode, batch_size, shuffle=name == "train", seed=seed
            )
            for name, idx in parts
        }
    clock = training.EpochTimer()
    stopper = training.ResumableEarlyStopping(
        monitor="val_loss", patience=training_settings["patience"], restore_best_weights=True
    )
    fit_callbacks = [keras.callbacks.TerminateOnNaN(), clock, stopper]
    saver, initial_epoch = None, 0
    if checkpoint is not None:
        # What the saved state must have been trained with to be resumed.
        fingerprint = {
            "pool": pool,
            "mode": mode,
            "k": list(k),
            "n_pools": n_pools,
            "network": network,
            "training": training_settings,
            "seed": seed,
            "n_graphs": len(dataset),
            "split": [sorted(int(i) for i in part) for part in split],
        }
        saver = training.FitCheckpoint(checkpoint, fingerprint, stateful=[clock, stopper])
        initial_epoch = saver.restore(model)
        fit_callbacks.append(saver)
    if saver is not None and saver.finished:
        # Stopped before the fold's record was written: only the test is
        # left. The callbacks end as `fit` would end them (best weights back).
        for callback in (clock, stopper):
            callback.set_model(model)
            callback.on_train_begin()
        stopper.on_train_end()
        history = saver.history
    else:
        logs = model.fit(
            data["train"][0],
            steps_per_epoch=data["train"][1],
            validation_data=data["val"][0],
            validation_steps=data["val"][1],
            epochs=training_settings["epochs"],
            initial_epoch=initial_epoch,
            callbacks=[*fit_callbacks, *callbacks],
            verbose=verbose,
        ).history
        history = logs if saver is None else saver.history
    training.check_finite_history(history, f"{pool} classification (seed {seed})")
    scores = model.evaluate(data["test"][0], steps=data["test"][1], verbose=0, return_dict=True)
    val_loss = history["val_loss"]
    return model, {
        "seed": seed,
        "acc": 100.0 * float(scores["acc"]),
        "test_loss": float(scores["loss"]),
        "epochs": len(val_loss),
        "best_epoch": int(np.argmin(val_loss)) + 1,
        "resumed_at_epoch": initial_epoch or None,
        "epoch_s": clock.median_ms() / 1000,
        "peak_mb": _common.peak_memory_mb(),
        "n_train": len(train),
        "n_val": len(val),
        "n_test": len(test),
    }


def summarize(records):
    """Accuracy mean and spread (percent), mean epoch time, peak memory."""
    import numpy as np

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
        print(
            f"{r['run']:>4} {r['fold']:>4} {r['acc']:>7.1f} {r['epochs']:>6} "
            f"{r['epoch_s']:>8.2f} {r['peak_mb']:>8.0f}"
        )
    print(
        f"mean ± std: {summary['acc_mean']:.1f} ± {summary['acc_std']:.1f} %, "
        f"{summary['epoch_s']:.2f} s/epoch, peak {summary['peak_mb']:.0f} MB"
    )


# ----------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------
def build_parser():
    parser = _common.experiment_parser("classify", __doc__)
    parser.add_argument(
        "--dataset",
        default="MUTAG",
        help=f"{', '.join(BENCH)}, {SYNTHETIC} or a TU dataset name "
        "(MUTAG, Mutagenicity, NCI1, PROTEINS, DD, COLLAB, "
        "REDDIT-BINARY, ENZYMES, IMDB-BINARY, ...)",
    )
    parser.add_argument("--pool", default="tvgnn", choices=CLASSIFICATION_POOLS)
    parser.add_argument("--mode", default="disjoint", choices=("batch", "disjoint"))
    parser.add_argument(
        "--pools",
        type=int,
        default=2,
        help="pooling layers (2 as the papers; 1: MP, pool, MP, readout)",
    )
    parser.add_argument(
        "--folds",
        type=int,
        default=5,
        help="cross-validation folds (ignored for Bench, which has its own split)",
    )
    parser.add_argument(
        "--max-folds",
        type=int,
        default=None,
        help="run only the first N folds (quick checks, scale tests)",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per fold (papers: 3)")
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="maximum epochs (default 500; early stopping usually ends sooner)",
    )
    parser.add_argument(
        "--patience",
        type=int,
        default=None,
        help="early-stopping patience on the validation loss (default 20)",
    )
    parser.add_argument(
        "--k",
        type=int,
        nargs="+",
        default=None,
        help="clusters per graph of each pool (default: half the average "
        "number of nodes, then a quarter)",
    )
    parser.add_argument(
        "--max-degree",
        type=int,
        default=MAX_DEGREE,
        help="featureless datasets: one-hot degrees clipped to this",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the splits and of the first run"
    )
    parser.add_argument(
        "--strategy",
        default="default",
        choices=("default", "mirrored", "multiworker"),
        help="tf.distribute strategy: default (one device), mirrored "
        "(every local GPU), multiworker (machines of TF_CONFIG); "
        "each replica gets whole graphs, --batch-size is the "
        "global batch (docs/distributed.md)",
    )
    parser.add_argument(
        "--verbose", type=int, default=0, choices=(0, 1, 2), help="model.fit verbosity"
    )
    _common.add_keras_flags(
        parser, "DIR/run-R-fold-F for every fold", "the model of the last fold"
    )
    _common.add_output_flags(
        parser,
        "results/classify-DATASET-POOL-MODE",
        resume_also=", continuing a stopped fold from its checkpoint (saved every minute)",
    )
    for flag, (_, kind, help_text, _) in OVERRIDES.items():
        option = "--" + flag.replace("_", "-")
        if kind is None:
            parser.add_argument(option, type=int, nargs="*", default=None, help=help_text)
        else:
            parser.add_argument(option, type=kind, default=None, help=help_text)
    return parser


def parse_args(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.mode not in POOL_MODES[args.pool]:
        parser.fail(
            f"--pool {args.pool} does not run in --mode {args.mode}: Spektral's "
            f"layer supports {' / '.join(POOL_MODES[args.pool])} only"
        )
    _common.check_minimums(
        parser,
        args,
        folds=2,
        runs=1,
        epochs=1,
        patience=1,
        max_degree=1,
        pools=1,
        max_folds=1,
        batch_size=1,
        mp_layers=1,
        mp_channels=1,
        seed=0,
    )
    _common.check_non_negative(parser, args, "l2", "delta", "totvar_coeff", "balance_coeff")
    if args.lr is not None and not args.lr > 0:
        parser.fail(f"--lr must be > 0, got {args.lr}")
    if args.pool_ratio is not None and not 0 < args.pool_ratio <= 1:
        parser.fail(f"--pool-ratio must be in (0, 1], got {args.pool_ratio}")
    if args.k is not None:
        if len(args.k) not in (1, args.pools):
            parser.fail(f"--k takes one value or one per pool ({args.pools}), got {args.k}")
        if min(args.k) < 2:
            parser.fail(f"--k must be >= 2, got {args.k}")
    if args.mlp_hidden is not None and any(units < 1 for units in args.mlp_hidden):
        parser.fail(f"--mlp-hidden units must be >= 1, got {args.mlp_hidden}")
    _common.check_keras_flags(parser, args)
    return args


def settings_from_args(args):
    """`(network, training settings)`: the papers' values for the pool and
    dataset, with the flags' overrides."""
    from spektral_tv import models, training

    # The synthetic large graphs stand in for D&D: its row of Table 5.
    table_row = "DD" if args.dataset.lower() == SYNTHETIC else args.dataset
    network = models.classification_defaults(args.pool, table_row)
    settings = training.classification_training(args.pool, table_row)
    for name in ("epochs", "patience"):
        if getattr(args, name) is not None:
            settings[name] = getattr(args, name)
    for flag, (key, _, _, kind) in OVERRIDES.items():
        value = getattr(args, flag)
        if value is None:
            continue
        target = settings if kind == "training" else network
        if key not in target:
            raise ValueError(f"--{flag.replace('_', '-')} does not apply to --pool {args.pool}")
        target[key] = list(value) if isinstance(value, list) else value
    return network, settings


def main(argv=None):
    """Runs the experiment; returns the summary written to results.json."""
    args = parse_args(argv)
    out = args.out or os.path.join("results", f"classify-{args.dataset}-{args.pool}-{args.mode}")
    with _common.output_folder(out):
        return _run(args, out, _common.command_line("classify", argv))


def _run(args, out, command):
    import numpy as np

    from spektral_tv import distribute, models, training

    # First: MultiWorkerMirroredStrategy must exist before other TensorFlow work.
    strategy = distribute.strategy_from_name(args.strategy)

    try:
        network, settings = settings_from_args(args)
    except ValueError as error:
        build_parser().fail(str(error))
    from spektral_tv.datasets import DatasetFileError, DatasetNotFoundError

    try:
        dataset, fixed = load_dataset(args.dataset, args.max_degree, seed=args.seed)
    except (DatasetNotFoundError, DatasetFileError, FileNotFoundError) as error:
        first_line = str(error).splitlines()[0] if str(error) else repr(error)
        build_parser().fail(f"--dataset {args.dataset}: {first_line}")
    if args.pool != "tvgnn":
        dataset.apply(normalize_adjacency)
    labels = graph_labels(dataset)
    average_nodes = float(np.mean([g.n_nodes for g in dataset]))
    if args.k is None:
        k = models.pool_sizes(average_nodes, args.pools)
    else:
        k = list(args.k) * (args.pools if len(args.k) == 1 else 1)
    # Every fold's split is stored, so that a run of some folds (--max-folds)
    # can be resumed with more.
    all_splits = cv_splits(labels, args.folds, args.seed, fixed)
    splits = all_splits[: args.max_folds]
    if settings["batch_size"] < strategy.num_replicas_in_sync:
        build_parser().fail(
            f"--strategy {args.strategy}: a batch of "
            f"{settings['batch_size']} graph(s) cannot feed "
            f"{strategy.num_replicas_in_sync} replicas whole graphs; "
            "raise --batch-size"
        )

    results = {
        "command": command,
        "dataset": args.dataset,
        "pool": args.pool,
        "mode": args.mode,
        "pools": args.pools,
        "strategy": args.strategy,
        "replicas": strategy.num_replicas_in_sync,
        "protocol": "fixed split" if fixed is not None else f"{args.folds}-fold CV",
        "n_graphs": len(dataset),
        "n_features": dataset.n_node_features,
        "n_classes": dataset.n_labels,
        "average_nodes": average_nodes,
        "k": k,
        "max_epochs": settings["epochs"],
        "patience": settings["patience"],
        "seed": args.seed,
        "config": {**network, **settings},
        "network": network,
        "training": settings,
        "splits": [
            {"train": tr.tolist(), "val": va.tolist(), "test": te.tolist()}
            for tr, va, te in all_splits
        ],
    }
    previous = _common.read_results(out, args.resume)
    if previous is not None and previous.get("splits") != results["splits"]:
        build_parser().fail(
            f"--resume: {out}/results.json has other splits (another "
            "dataset, --seed or --folds); use another --out"
        )
    if previous is not None:
        changed = [
            key
            for key in ("pool", "mode", "pools", "k", "network", "training")
            if json.loads(json.dumps(results[key])) != previous.get(key)
        ]
        if changed:
            build_parser().fail(
                f"--resume: {out}/results.json was made with other settings "
                f"({', '.join(changed)}); rerun its command or use another --out"
            )
    records = list((previous or {}).get("folds", []))
    done = {(r["run"], r["fold"]) for r in records}
    model = None
    for run in range(args.runs):
        for fold, split in enumerate(splits):
            if (run, fold) in done:
                continue
            callbacks = _common.tensorboard_callbacks(args.tensorboard, f"run-{run}-fold-{fold}")
            if not args.quiet and not args.verbose:
                from spektral_tv.training import ProgressBar

                callbacks.append(ProgressBar(f"run {run} fold {fold}", every=1))
            checkpoint = os.path.join(out, CHECKPOINTS, f"run-{run}-fold-{fold}")
            if not args.resume:
                shutil.rmtree(checkpoint, ignore_errors=True)
            try:
                model, record = train_fold(
                    dataset,
                    split,
                    args.pool,
                    args.mode,
                    network,
                    settings,
                    k,
                    args.pools,
                    seed=args.seed + run,
                    verbose=args.verbose,
                    callbacks=callbacks,
                    strategy=None if args.strategy == "default" else strategy,
                    # Several workers would write one folder: no checkpoint there.
                    checkpoint=None if args.strategy == "multiworker" else checkpoint,
                )
            except training.CheckpointMismatch as error:
                build_parser().fail(f"--resume: {error} (the stopped command had other flags)")
            records.append({"run": run, "fold": fold, **record})
            records.sort(key=lambda r: (r["run"], r["fold"]))
            print(
                f"{args.pool} {args.mode} {args.dataset} run {run} fold {fold}: "
                f"acc {record['acc']:.1f} %, {record['epochs']} epochs, "
                f"{record['epoch_s']:.2f} s/epoch",
                flush=True,
            )
            # Written after every fold: an interrupted job keeps its folds.
            results.update(folds=records, **summarize(records))
            _common.write_json(os.path.join(out, _common.RESULTS_FILE), results)
            shutil.rmtree(checkpoint, ignore_errors=True)

    with contextlib.suppress(OSError):
        os.rmdir(os.path.join(out, CHECKPOINTS))  # only when empty
    results.update(folds=records, **summarize(records))
    _common.write_json(os.path.join(out, _common.RESULTS_FILE), results)
    if args.save_model and model is not None:
        model.save(args.save_model)
    print_table(
        records,
        summarize(records),
        f"{args.pool} ({args.mode} mode, {args.pools} pool(s)) on {args.dataset}, "
        f"k = {k}: {results['protocol']}, {args.runs} run(s)",
    )
    return results
