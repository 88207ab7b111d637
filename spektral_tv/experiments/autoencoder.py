"""Graph autoencoder through a pooling bottleneck (the MinCutPool paper §5.2,
Figs. 6-7).

The node features are the 2-D coordinates of a ring or a grid; the encoder's
pool keeps 25% of the nodes, the unpooling brings them back (X_rec = S·X_pool
for MinCutPool, TVGNN's AsymCheegerCutPool and DiffPool; Top-K's own
scatter-back unpooling for Top-K) and the decoder reconstructs the
coordinates. Trained with `model.fit` on the MSE (plus the pool's auxiliary
losses), early-stopped on the training loss, the best weights kept
(`spektral_tv.training.train_autoencoder`).

    spektral-tv autoencode --graph ring --pool mincut
    spektral-tv autoencode --graph grid --pool all --out results/ae-grid
    spektral-tv autoencode --graph grid --pool tvgnn --totvar-coeff 0.1

Writes OUT/results.json (`mse`: the reconstruction error mean((X - X_rec)²)
of the best weights; with `--pool all` a dict pool -> MSE, and one record per
pool under `runs`; written after every pool, --resume keeps the pools done),
OUT/reconstruction-POOL.npy (X_rec of each pool) and OUT/reconstruction.png
(original | reconstruction of each pool, nodes coloured by their original
x + y).
"""

import os

from spektral_tv.experiments import _common
from spektral_tv.hyperparameters import AUTOENCODER, AUTOENCODER_POOLS

GRAPHS = ("grid", "ring")
POOLS = AUTOENCODER_POOLS  # in the order of the paper's figure
POOL_TITLES = {
    "topk": "Top-K",
    "diffpool": "DiffPool",
    "mincut": "MinCutPool",
    "tvgnn": "TVGNN (AsymCheegerCutPool)",
}
# Enough for MinCutPool to converge on both graphs in a few minutes on a CPU;
# the paper's 10 000 iterations with --epochs 10000.
DEFAULT_EPOCHS = 3000
DEFAULT_PATIENCE = 300


def load_graph(name):
    """The ring or grid of the authors' script: PyGSP Ring(N=200), Grid2d(30, 30)."""
    from spektral_tv import datasets

    return datasets.ring_graph(200) if name == "ring" else datasets.grid2d(30, 30)


def build_parser():
    parser = _common.experiment_parser("autoencode", __doc__)
    parser.add_argument("--graph", default="ring", choices=GRAPHS)
    parser.add_argument(
        "--pool",
        default="mincut",
        choices=(*sorted(POOLS), "all"),
        help="the pooling layer of the bottleneck, or all four",
    )
    parser.add_argument(
        "--epochs",
        type=int,
        default=DEFAULT_EPOCHS,
        help=f"maximum epochs (default {DEFAULT_EPOCHS}; the paper 10000)",
    )
    parser.add_argument(
        "--patience",
        type=int,
        default=DEFAULT_PATIENCE,
        help="early stopping patience on the training loss "
        f"(default {DEFAULT_PATIENCE}; the paper 1000)",
    )
    parser.add_argument(
        "--totvar-coeff",
        type=float,
        default=None,
        help="TVGNN pool's total variation weight α1 (default "
        f"{AUTOENCODER['totvar_coeff']}, the clustering value)",
    )
    parser.add_argument("--seed", type=int, default=0)
    _common.add_keras_flags(
        parser,
        "DIR/POOL",
        "the trained autoencoder (one --pool, not "
        "diffpool: its batch-of-one reshaping is a Lambda layer)",
    )
    _common.add_output_flags(parser, "results/autoencode-GRAPH-POOL")
    return parser


def parse_args(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    _common.check_minimums(parser, args, epochs=1, patience=1, seed=0)
    _common.check_keras_flags(parser, args)
    _common.check_non_negative(parser, args, "totvar_coeff")
    if args.totvar_coeff is not None and args.pool not in ("tvgnn", "all"):
        parser.fail("--totvar-coeff applies to --pool tvgnn (or all)")
    if args.save_model is not None and args.pool in ("all", "diffpool"):
        parser.fail(f"--save-model needs one --pool other than diffpool, got {args.pool}")
    return args


def main(argv=None):
    """Runs the experiment; returns the summary written to results.json."""
    args = parse_args(argv)
    out = args.out or os.path.join("results", f"autoencode-{args.graph}-{args.pool}")
    with _common.output_folder(out):
        return _run(args, out, _common.command_line("autoencode", argv))


def _run(args, out, command):
    import numpy as np

    from spektral_tv import models, plotting, training

    graph = load_graph(args.graph)
    inputs = training.autoencoder_inputs(graph.x, graph.a)
    pools = POOLS if args.pool == "all" else (args.pool,)
    overrides = {} if args.totvar_coeff is None else {"totvar_coeff": args.totvar_coeff}
    header = {
        "command": command,
        "graph": args.graph,
        "pool": args.pool,
        "n_nodes": int(graph.n_nodes),
        "seed": args.seed,
        "config": {
            **models.AUTOENCODER,
            **overrides,
            "learning_rate": training.AUTOENCODER_TRAINING["learning_rate"],
            "epochs": args.epochs,
            "patience": args.patience,
        },
    }
    previous = _common.read_results(out, args.resume) or {}
    runs, reconstructions = {}, {}
    for pool in pools:
        saved = os.path.join(out, f"reconstruction-{pool}.npy")
        if pool in previous.get("runs", {}) and os.path.exists(saved):
            runs[pool], x_rec = previous["runs"][pool], np.load(saved)
        else:
            callbacks = _common.tensorboard_callbacks(args.tensorboard, pool)
            model, x_rec, record = training.train_autoencoder(
                pool,
                inputs,
                epochs=args.epochs,
                patience=args.patience,
                seed=args.seed,
                progress=False if args.quiet else f"{pool} on {args.graph}",
                callbacks=callbacks,
                **overrides,
            )
            runs[pool] = record
            np.save(saved, x_rec)
            if args.save_model:
                model.save(args.save_model)
            print(
                f"{pool} on {args.graph}: MSE {record['mse']:.3e} after "
                f"{record['epochs_run']} epochs, {record['seconds']:.0f} s",
                flush=True,
            )
        reconstructions[f"{POOL_TITLES[pool]}\nMSE {runs[pool]['mse']:.2e}"] = x_rec
        mse = (
            {p: r["mse"] for p, r in runs.items()}
            if args.pool == "all"
            else runs[args.pool]["mse"]
        )
        summary = {**header, "mse": mse, "runs": runs}
        _common.write_json(os.path.join(out, _common.RESULTS_FILE), summary)

    plotting.plot_reconstruction(
        graph.x,
        reconstructions,
        edges=plotting.edge_list(graph.a),
        path=os.path.join(out, "reconstruction.png"),
    )
    print(f"-> {out}")
    return summary
