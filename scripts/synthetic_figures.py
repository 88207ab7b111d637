#!/usr/bin/env python
"""The synthetic figures of the TVGNN paper (seed 002, App. C.2 and C.3):
MinCutPool against TVGNN on the same graphs.

    python scripts/synthetic_figures.py sharpness --out results/sharpness
    python scripts/synthetic_figures.py denoise --runs 10 --out results/denoise

`sharpness` (C.3, Figs. 22-24): a ring of 200 nodes clustered with K = 5 and
a 30 x 30 grid with K = 10, node features the 2-D coordinates. Writes
DIR/sharpness.png (the clusters on the plane, node colour paler where the
largest assignment is smaller, and the largest assignment along the ring and
sorted over the grid) and DIR/results.json (`sharpness` statistics of S per
graph and model: mean and median largest assignment, share of nodes >= 0.9,
normalized entropy, cluster sizes).

`denoise` (C.2, Figs. 20-21): a 3-community SBM (200 nodes, p_in 0.3, p_out
0.005) whose one-hot community features are corrupted with Gaussian noise of
standard deviation 1.5, K = 3, 1000 epochs; each of --runs runs draws a new
graph (seeds SEED, SEED + 1, ...). Three models per graph: MinCutPool,
TVGNN on the features as given (the paper's setting) and TVGNN on the
features times --tvgnn-feature-scale (0.003): GTVConv takes a total
variation step of fixed length, which does not smooth features of order one
(see `spektral_tv.layers.GTVConv`). Writes DIR/denoise.png (true features,
noisy features, the clusters of each model on the first graph),
DIR/assignments.png (log S·Sᵀ) and DIR/results.json (per model: each run's
NMI, ACC, completeness and mean largest assignment, their means and
standard deviations).

Both models are trained with `model.fit` on their auxiliary losses alone, with
the papers' clustering hyper-parameters (`spektral_tv.models`), scored at the
lowest training loss.
"""
import spektral_tv  # noqa: F401  (first: TF_USE_LEGACY_KERAS before TensorFlow)

import argparse
import json
import os
import sys

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster import SYNTHETIC_EPOCHS, summarize  # noqa: E402

from spektral_tv import datasets, metrics, plotting  # noqa: E402
from spektral_tv._cli import check_minimums  # noqa: E402
from spektral_tv.training import clustering_inputs, train_clustering  # noqa: E402

MODELS = ("mincut", "tvgnn")
TITLES = {"mincut": "MinCutPool", "tvgnn": "TVGNN"}


def _train(model_name, x, a, k, epochs, seed):
    inputs, sparse_x = clustering_inputs(model_name, x, a)
    model, _, epoch_ms = train_clustering(model_name, inputs, k, sparse_features=sparse_x,
                                          epochs=epochs or SYNTHETIC_EPOCHS[model_name],
                                          seed=seed)
    return model(inputs, training=False).numpy(), epoch_ms


def _sharpness_record(s):
    stats = metrics.sharpness(s)
    stats["cluster_sizes"] = stats["cluster_sizes"].tolist()
    return stats


def sharpness(args):
    """Seed 002 App. C.3: ring (K = 5) and grid (K = 10)."""
    graphs = {"ring": (datasets.ring_graph(args.ring_nodes), 5),
              "grid": (datasets.grid2d(args.grid_side, args.grid_side), 10)}
    results, assignments = {}, {}
    for name, (graph, k) in graphs.items():
        for model in MODELS:
            s, epoch_ms = _train(model, graph.x, graph.a, k, args.epochs, args.seed)
            assignments[name, model] = s
            results.setdefault(name, {})[model] = {**_sharpness_record(s),
                                                   "k": k, "epoch_ms": epoch_ms}
            r = results[name][model]
            print(f"{model} on {name} (K = {k}): mean largest assignment "
                  f"{r['mean_max']:.3f}, {100 * r['fraction_crisp']:.0f}% of nodes >= 0.9, "
                  f"cluster sizes {r['cluster_sizes']}", flush=True)

    fig = Figure(figsize=(13, 6.6), layout="constrained")
    axes = fig.subplots(2, 3, gridspec_kw=dict(width_ratios=[1, 1, 1.6]))
    for row, (name, (graph, k)) in enumerate(graphs.items()):
        for col, model in enumerate(MODELS):
            plotting.plot_clusters_2d(graph.x, assignments[name, model], ax=axes[row, col],
                                      edges=plotting.edge_list(graph.a),
                                      title=f"{TITLES[model]}, {name} (K = {k})")
        for model in MODELS:
            plotting.plot_sharpness_profile(
                assignments[name, model], ax=axes[row, 2],
                order=None if name == "ring" else "sorted", label=TITLES[model])
        axes[row, 2].set_title("along the ring" if name == "ring"
                               else "grid, sorted from lowest to highest")
    fig.savefig(os.path.join(args.out, "sharpness.png"), dpi=100)
    return {"figure": "sharpness", "results": results}


def _draw_graph(ax, pos, edges, colors, title):
    ax.add_collection(LineCollection(pos[edges], colors="0.8", linewidths=0.3, zorder=1))
    ax.scatter(pos[:, 0], pos[:, 1], c=colors, s=14, edgecolors="0.3", linewidths=0.3,
               zorder=2)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title)


# The denoising runs: MinCutPool, TVGNN on the features as given (the paper's
# setting) and TVGNN on the features scaled by --tvgnn-feature-scale.
DENOISE_RUNS = ("mincut", "tvgnn_raw", "tvgnn")
DENOISE_TITLES = {"mincut": "MinCutPool", "tvgnn_raw": "TVGNN, features as given",
                  "tvgnn": "TVGNN, features scaled"}
DENOISE_EPOCHS = 1000


def denoise(args):
    """Seed 002 App. C.2: noisy-feature SBM, K = 3, one new graph per seed."""
    import networkx as nx

    epochs = args.epochs or DENOISE_EPOCHS
    scales = {"mincut": 1.0, "tvgnn_raw": 1.0, "tvgnn": args.tvgnn_feature_scale}
    records = {run: [] for run in DENOISE_RUNS}
    first = {}  # the first graph's assignments, for the figures
    for seed in range(args.seed, args.seed + args.runs):
        graph = datasets.noisy_sbm(seed=seed)
        if seed == args.seed:
            first_graph = graph
        for run in DENOISE_RUNS:
            model = "mincut" if run == "mincut" else "tvgnn"
            s, epoch_ms = _train(model, scales[run] * graph.x, graph.a, 3, epochs, seed)
            r = {"seed": seed, **metrics.clustering_scores(graph.y, s),
                 "mean_max": float(metrics.sharpness(s)["mean_max"]),
                 "epoch_ms": epoch_ms}
            records[run].append(r)
            print(f"seed {seed}, {DENOISE_TITLES[run]}: NMI {r['nmi']:.3f}, "
                  f"ACC {r['acc']:.3f}, mean largest assignment {r['mean_max']:.3f}",
                  flush=True)
            if seed == args.seed:
                first[run] = s
    results = {}
    for run in DENOISE_RUNS:
        results[run] = {"feature_scale": scales[run],
                        **summarize(records[run], keys=("nmi", "acc", "cs", "mean_max"))}
        r = results[run]
        print(f"{DENOISE_TITLES[run]} ({args.runs} runs): NMI {r['nmi_mean']:.3f} "
              f"± {r['nmi_std']:.3f}, ACC {r['acc_mean']:.3f} ± {r['acc_std']:.3f}",
              flush=True)

    graph = first_graph
    edges = plotting.edge_list(graph.a)
    layout = nx.spring_layout(nx.from_scipy_sparse_array(graph.a), seed=args.seed)
    pos = np.array([layout[i] for i in range(graph.n_nodes)])
    fig = Figure(figsize=(16, 3.6), layout="constrained")
    axes = fig.subplots(1, 2 + len(DENOISE_RUNS))
    # Features as RGB, as the paper's Fig. 20 (a-b); noisy values clipped.
    _draw_graph(axes[0], pos, edges, graph.x_clean, "original features")
    _draw_graph(axes[1], pos, edges, np.clip(graph.x, 0, 1), "features + noise")
    for ax, run in zip(axes[2:], DENOISE_RUNS):
        nmi = records[run][0]["nmi"]
        plotting.plot_clusters_2d(pos, first[run], ax=ax, edges=edges,
                                  title=f"{DENOISE_TITLES[run]}: NMI {nmi:.2f}")
    fig.savefig(os.path.join(args.out, "denoise.png"), dpi=100)

    fig = Figure(figsize=(14, 4.2), layout="constrained")
    for ax, run in zip(fig.subplots(1, len(DENOISE_RUNS)), DENOISE_RUNS):
        plotting.plot_assignment_matrix(first[run], labels=graph.y, ax=ax,
                                        title=f"{DENOISE_TITLES[run]}: log S·Sᵀ")
    fig.savefig(os.path.join(args.out, "assignments.png"), dpi=100)
    return {"figure": "denoise", "results": results, "noise_std": 1.5,
            "n_nodes": int(graph.n_nodes), "runs": args.runs,
            "epochs": {"mincut": epochs, "tvgnn": epochs}}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("figure", choices=("sharpness", "denoise"))
    parser.add_argument("--epochs", type=int, default=None,
                        help=f"sharpness default: {SYNTHETIC_EPOCHS} (as scripts/cluster.py); "
                             f"denoise default: {DENOISE_EPOCHS}")
    parser.add_argument("--seed", type=int, default=0, help="seed (of the first run)")
    parser.add_argument("--runs", type=int, default=1,
                        help="denoise: runs, each on a new graph (seeds SEED, SEED+1, ...)")
    parser.add_argument("--tvgnn-feature-scale", type=float, default=0.003,
                        help="denoise: factor on the features of the scaled TVGNN run "
                             "(GTVConv's step has a fixed length, see its docstring)")
    parser.add_argument("--ring-nodes", type=int, default=200, help="sharpness: ring size")
    parser.add_argument("--grid-side", type=int, default=30, help="sharpness: grid side")
    parser.add_argument("--out", default=None, help="default: results/FIGURE")
    args = parser.parse_args(argv)
    # The smallest graphs on which K = 5 and K = 10 clusters make sense.
    check_minimums(args, epochs=1, runs=1, ring_nodes=10, grid_side=4)
    if not args.tvgnn_feature_scale > 0:
        raise ValueError(f"--tvgnn-feature-scale must be > 0, got {args.tvgnn_feature_scale}")
    return args


def main(argv=None):
    args = parse_args(argv)
    args.out = args.out or os.path.join("results", args.figure)
    os.makedirs(args.out, exist_ok=True)
    summary = sharpness(args) if args.figure == "sharpness" else denoise(args)
    summary.setdefault("epochs", {m: args.epochs or SYNTHETIC_EPOCHS[m] for m in MODELS})
    summary["seed"] = args.seed
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(summary, f, indent=2)
    print(f"-> {args.out}")
    return summary


if __name__ == "__main__":
    main()
