#!/usr/bin/env python
"""Graph autoencoder through a pooling bottleneck (seed 000 §5.2, Figs. 6-7).

The node features are the 2-D coordinates of a ring or a grid; the encoder's
pool keeps 25% of the nodes, the unpooling brings them back (X_rec = S·X_pool
for MinCutPool, TVGNN's AsymCheegerCutPool and DiffPool; Top-K's own
scatter-back unpooling for Top-K) and the decoder reconstructs the
coordinates. Trained with `model.fit` on the MSE (plus the pool's auxiliary
losses), early-stopped on the training loss, the best weights kept.

    python scripts/autoencode.py --graph ring --pool mincut
    python scripts/autoencode.py --graph grid --pool all --out results/ae-grid

Writes DIR/results.json (`mse`: the reconstruction error mean((X - X_rec)²)
of the best weights; with `--pool all` a dict pool -> MSE, and one record per
pool under `runs`) and DIR/reconstruction.png (original | reconstruction of
each pool, nodes coloured by their original x + y).
"""
import spektral_tv  # noqa: F401  (first: TF_USE_LEGACY_KERAS before TensorFlow)

import argparse
import json
import os
import time

import numpy as np
import tensorflow as tf
import tf_keras as keras

from spektral_tv import datasets, plotting
from spektral_tv._cli import check_minimums
from spektral_tv.models import (
    AUTOENCODER,
    AUTOENCODER_POOLS,
    autoencoder_inputs,
    autoencoder_model,
)

GRAPHS = {
    # The authors' script: PyGSP Ring(N=200) and Grid2d(N1=30, N2=30).
    "ring": lambda: datasets.ring_graph(200),
    "grid": lambda: datasets.grid2d(30, 30),
}
POOL_TITLES = {"topk": "Top-K", "diffpool": "DiffPool", "mincut": "MinCutPool",
               "tvgnn": "TVGNN (AsymCheegerCutPool)"}
# Enough for MinCutPool to converge on both graphs in a few minutes on a CPU;
# the paper's 10 000 iterations with --epochs 10000.
DEFAULT_EPOCHS = 3000
DEFAULT_PATIENCE = 300


def train_autoencoder(pool, inputs, epochs, patience, seed=0, **overrides):
    """Trains one autoencoder with `model.fit`; returns (model, record)."""
    x = inputs[0]
    keras.utils.set_random_seed(seed)
    model = autoencoder_model(int(x.shape[0]), int(x.shape[1]), pool, **overrides)
    config = {**AUTOENCODER, **overrides}
    model.compile(keras.optimizers.Adam(config["learning_rate"]), loss="mse")
    data = tf.data.Dataset.from_tensors((tuple(inputs), x)).repeat()
    # The authors' early stopping: 1e-5 minimal improvement of the loss.
    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=patience,
                                         min_delta=1e-5, restore_best_weights=True)
    start = time.perf_counter()
    history = model.fit(data, steps_per_epoch=1, epochs=epochs, verbose=0,
                        callbacks=[stop])
    seconds = time.perf_counter() - start
    x_rec = model(inputs, training=False).numpy()
    mse = float(np.mean((x_rec - x.numpy()) ** 2))
    record = {"mse": mse, "epochs_run": len(history.history["loss"]),
              "lowest_loss": float(np.min(history.history["loss"])),
              "seconds": seconds,
              "aux_losses": {k: float(v[-1]) for k, v in history.history.items()
                             if k != "loss"}}
    return model, x_rec, record


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graph", default="ring", choices=sorted(GRAPHS))
    parser.add_argument("--pool", default="mincut", choices=AUTOENCODER_POOLS + ("all",),
                        help="the pooling layer of the bottleneck, or all four")
    parser.add_argument("--epochs", type=int, default=DEFAULT_EPOCHS,
                        help=f"maximum epochs (default {DEFAULT_EPOCHS}; the paper 10000)")
    parser.add_argument("--patience", type=int, default=DEFAULT_PATIENCE,
                        help="early stopping patience on the training loss "
                             f"(default {DEFAULT_PATIENCE}; the paper 1000)")
    parser.add_argument("--totvar-coeff", type=float, default=None,
                        help="TVGNN pool's total variation weight α1 (default "
                             f"{AUTOENCODER['totvar_coeff']}, the clustering value)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="default: results/autoencode-GRAPH-POOL")
    args = parser.parse_args(argv)
    return check_minimums(args, epochs=1, patience=1, totvar_coeff=0.0)


def main(argv=None):
    args = parse_args(argv)
    out = args.out or os.path.join("results", f"autoencode-{args.graph}-{args.pool}")
    os.makedirs(out, exist_ok=True)
    graph = GRAPHS[args.graph]()
    inputs = autoencoder_inputs(graph.x, graph.a)
    pools = AUTOENCODER_POOLS if args.pool == "all" else (args.pool,)
    # Figure order of the paper: Top-K, DiffPool, MinCutPool, then TVGNN.
    pools = sorted(pools, key=("topk", "diffpool", "mincut", "tvgnn").index)

    overrides = {} if args.totvar_coeff is None else {"totvar_coeff": args.totvar_coeff}
    runs, reconstructions = {}, {}
    for pool in pools:
        _, x_rec, record = train_autoencoder(pool, inputs, args.epochs,
                                             args.patience, seed=args.seed, **overrides)
        runs[pool] = record
        reconstructions[f"{POOL_TITLES[pool]}\nMSE {record['mse']:.2e}"] = x_rec
        print(f"{pool} on {args.graph}: MSE {record['mse']:.3e} after "
              f"{record['epochs_run']} epochs, {record['seconds']:.0f} s", flush=True)

    mse = ({p: r["mse"] for p, r in runs.items()} if args.pool == "all"
           else runs[args.pool]["mse"])
    summary = {"graph": args.graph, "pool": args.pool, "n_nodes": int(graph.n_nodes),
               "mse": mse, "runs": runs, "seed": args.seed,
               "config": {**AUTOENCODER, **overrides, "epochs": args.epochs,
                          "patience": args.patience}}
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(summary, f, indent=2)
    plotting.plot_reconstruction(
        graph.x, reconstructions, edges=plotting.edge_list(graph.a),
        path=os.path.join(out, "reconstruction.png"))
    print(f"-> {out}")
    return summary


if __name__ == "__main__":
    main()
